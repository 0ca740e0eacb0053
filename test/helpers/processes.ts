import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { signerStateFileOf } from './outside';

export const ROOT = path.join(__dirname, '..', '..', '..');

/** Environment for a child process of the register: test settings plus `extra`. */
export function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  // The checkpoint signer's memory belongs to the database: each test database has its own.
  const database = extra.DATABASE_URL ? new URL(extra.DATABASE_URL).pathname.slice(1) : '';
  // Under c8 (npm run test:coverage) the child writes its coverage where c8 collects it.
  const coverage = process.env.NODE_V8_COVERAGE;
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    ...(coverage && { NODE_V8_COVERAGE: coverage }),
    ...(database && { LOG_SIGNER_STATE_FILE: signerStateFileOf(database) }),
    ...extra,
  };
}

/** Runs the CLI (the compiled build, as `npm run cli` does after building) and waits for it. */
export function runCli(args: string[], env: Record<string, string>) {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'dist/src/cli.js'), ...args], {
    cwd: ROOT,
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface ServerProcess {
  child: ChildProcess;
  lines: string[];
  exited: Promise<number | null>;
  /** Resolves with the first line that matches. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

export function startServer(env: Record<string, string>): ServerProcess {
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/src/server.js')], {
    cwd: ROOT,
    env: childEnv(env),
  });
  const lines: string[] = [];
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  let buffer = '';
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const line of parts) {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    lines,
    exited,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolve, reject) => {
        const found = lines.find((l) => pattern.test(l));
        if (found) return resolve(found);
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}; output:\n${lines.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({ pattern, resolve: (l) => (clearTimeout(timer), resolve(l)) });
        void exited.then((code) =>
          reject(new Error(`server exited (${code}) before ${pattern}; output:\n${lines.join('\n')}`)),
        );
      }),
  };
}
