// Measures how long `npm start` takes until /readyz answers 200: first on an empty data folder
// with no build (as after a fresh clone and `npm ci`), then again on the same data.
// Usage: npm run bench:start
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, chmodSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startOnce(label, dataDir) {
  const port = await freePort();
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(port), LOG_LEVEL: 'warn', DATABASE_URL: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  let readyMs;
  while (performance.now() - started < 120_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (res.status === 200) {
        readyMs = performance.now() - started;
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  process.kill(-child.pid, 'SIGTERM');
  await new Promise((r) => child.on('exit', r));
  if (readyMs === undefined) throw new Error(`${label}: not ready within 120 s`);
  console.log(`${label.padEnd(48)} ${(readyMs / 1000).toFixed(1)} s`);
  return readyMs;
}

const parent = mkdtempSync(path.join(os.tmpdir(), 'vhp-start-'));
chmodSync(parent, 0o755);
const dataDir = path.join(parent, 'data');
try {
  rmSync(path.join(root, 'dist'), { recursive: true, force: true });
  const first = await startOnce('first start (no build, empty data folder)', dataDir);
  const later = await startOnce('later start (built, data folder reused)', dataDir);
  console.log(
    `targets: first ≤ 60 s ${first <= 60_000 ? 'met' : 'MISSED'}, later ≤ 10 s ${later <= 10_000 ? 'met' : 'MISSED'}`,
  );
} finally {
  rmSync(parent, { recursive: true, force: true });
}
