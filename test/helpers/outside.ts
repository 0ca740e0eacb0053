import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** The run's folder for what lives outside a database but belongs to it; made when first needed. */
let folder: string | undefined;

/**
 * The checkpoint signer's state file (LOG_SIGNER_STATE_FILE) of database `name`: one per test
 * database, as each database is a register of its own. Child processes of the register get it too
 * (processes.ts).
 */
export function signerStateFileOf(name: string): string {
  folder ??= mkdtempSync(path.join(os.tmpdir(), 'vhp-test-outside-'));
  return path.join(folder, name, 'log-signer-state.json');
}

/** Removes the run's folder (at the end of the run). */
export function removeOutsideFolder(): void {
  if (folder) rmSync(folder, { recursive: true, force: true });
  folder = undefined;
}
