import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import { Webhook } from 'standardwebhooks';

/** One request the receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had arrived. */
  arrivedAt: number;
}

/** How the receiver answers its n-th request (0-based); answering is up to the function. */
export type Answer = (res: ServerResponse, n: number) => void;

export const answerStatus =
  (status: number): Answer =>
  (res) => {
    res.writeHead(status).end();
  };

/**
 * A real HTTP receiver on loopback, as a buyer's system would run one: records every request and
 * answers as `answer` says (200 unless told).
 */
export async function startReceiver(answer: Answer = answerStatus(200)) {
  const received: Received[] = [];
  let current = answer;
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        arrivedAt: performance.now(),
      });
      current(res, received.length - 1);
      for (const wake of waiters.splice(0)) wake();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answerWith(next: Answer) {
      current = next;
    },
    /** Resolves once `count` requests have arrived (or rejects after `ms`). */
    async waitFor(count: number, ms = 5000): Promise<void> {
      const deadline = performance.now() + ms;
      while (received.length < count) {
        const left = deadline - performance.now();
        if (left <= 0)
          throw new Error(`the receiver got ${received.length} of ${count} requests in ${ms} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, left);
          waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Verifies a request as a receiver should: the Standard Webhooks signature with the
 * subscription's secret (throws if wrong or stale), then the body parsed as a CloudEvent.
 */
export function verifiedEvent(request: Received, secret: string): CloudEventV1<Record<string, unknown>> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).map(([name, value]) => [name, String(value)]),
  );
  new Webhook(secret).verify(request.body, headers);
  const event = HTTP.toEvent<Record<string, unknown>>({ headers, body: request.body });
  if (Array.isArray(event)) throw new Error('a batch where one event was expected');
  return event;
}
