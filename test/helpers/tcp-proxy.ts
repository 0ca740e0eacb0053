import net from 'node:net';

/**
 * A TCP proxy between the app and its database, so a test can take the database away (every
 * connection cut, new ones refused) and bring it back, or freeze it (every connection stays open,
 * but nothing passes either way until it thaws), on any server, embedded or not.
 */
export class TcpProxy {
  private server?: net.Server;
  private readonly sockets = new Set<net.Socket>();
  /** While frozen: what was sent meanwhile, in order, to deliver on thawing. */
  private held: { to: net.Socket; data: Buffer }[] | undefined;
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** A copy of `url` that goes through the proxy. */
  static async in(url: string): Promise<{ proxy: TcpProxy; url: string }> {
    const parsed = new URL(url);
    const proxy = new TcpProxy(parsed.hostname, Number(parsed.port || 5432));
    await proxy.start();
    parsed.hostname = '127.0.0.1';
    parsed.port = String(proxy.port);
    return { proxy, url: parsed.toString() };
  }

  async start(): Promise<void> {
    const server = net.createServer((client) => {
      const upstream = net.connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      const forward = (from: net.Socket, to: net.Socket) =>
        from.on('data', (data: Buffer) => {
          if (this.held) this.held.push({ to, data });
          else to.write(data);
        });
      forward(client, upstream);
      forward(upstream, client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as net.AddressInfo).port;
    this.server = server;
  }

  /**
   * The database "freezes": connections stay open and new ones are accepted, but nothing passes
   * in either direction (a query waits for an answer that does not come) until `thaw`.
   */
  freeze(): void {
    this.held ??= [];
  }

  /** Everything held passes on, in order, and traffic flows again. */
  thaw(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const { to, data } of held) if (!to.destroyed) to.write(data);
  }

  /** The database "goes away": existing connections are cut and new ones refused. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
