import { readFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { OverloadedError } from '../shared/errors';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

const COMMON = new Set(
  readFileSync(path.join(__dirname, '..', '..', '..', 'resources', 'common-passwords.txt'), 'utf8')
    .split('\n')
    .filter(Boolean),
);

/** True when the password, or what is left after stripping digits and symbols at its end, is a common one. */
export function isCommonPassword(password: string): boolean {
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return true;
  const base = lower.replace(/[^a-z]+$/, '');
  return base.length >= 4 && COMMON.has(base);
}

/** Translation keys of what is wrong with a new password; empty when it may be used. */
export function passwordProblems(password: string): string[] {
  if (password.length < MIN_PASSWORD_LENGTH) return ['validation.passwordTooShort'];
  if (password.length > MAX_PASSWORD_LENGTH) return ['validation.passwordTooLong'];
  if (isCommonPassword(password)) return ['validation.passwordCommon'];
  return [];
}

/**
 * At most `concurrency` argon2 computations at once, with a bounded queue behind them: hashing
 * (64 MiB and tens of milliseconds each) can never take all memory, CPU and threads of the process,
 * and a flood of password forms gets 503 instead of slowing every page down.
 */
class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(
    public concurrency: number,
    public queue: number,
  ) {}

  /** argon2 computations started since the process began (for measurements and tests). */
  started = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) throw new OverloadedError(2);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      this.started++;
      return await work();
    } finally {
      // The slot passes straight to the next in line, so `running` never drops between them.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

const gate = new HashGate(1, 16);

/** How many argon2 hashes and verifications this process has started. */
export function passwordHashesStarted(): number {
  return gate.started;
}

/** Sets the limits of the hashing gate (from the configuration, at start). */
export function limitPasswordHashing(concurrency: number, queue: number): void {
  gate.concurrency = concurrency;
  gate.queue = queue;
}

/** argon2id with the library's defaults (64 MiB, 3 passes, parallelism 4), as OWASP recommends. */
export function hashPassword(password: string): Promise<string> {
  return gate.run(() => argon2.hash(password, { type: argon2.argon2id }));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return gate.run(async () => {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false;
    }
  });
}

/** A hash to verify against when the account does not exist, so both answers take as long. */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword('no-such-account-placeholder');
  return dummyHash;
}
