import { execFileSync } from 'node:child_process';

/**
 * Outside programs some tests use (Debian's Chromium, jing, later pdfsig and qpdf). Without one,
 * its tests are pending with a note saying how to install it; with REQUIRE_TOOLS=1 (as .ci/run
 * sets) a missing program is a failure instead.
 */
export function requireTool(suite: Mocha.Context, available: boolean, note: string): void {
  if (available) return;
  if (process.env.REQUIRE_TOOLS === '1') throw new Error(note);
  // eslint-disable-next-line no-console -- the note must reach whoever runs the tests
  console.warn(`      ${note}`);
  suite.skip();
}

/** Whether `command` is on the PATH. */
export function onPath(command: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
