import { AsyncLocalStorage } from 'node:async_hooks';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import argon2 from 'argon2';
import { OverloadedError, TooManyRequestsError } from '../shared/errors';

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

/** The client a request's argon2 work is done for (its rate-limit key), set per request. */
const hashingClient = new AsyncLocalStorage<string>();

/** Runs `next` with `client` as the one on whose behalf any password hashing is done. */
export function withHashingClient(client: string, next: () => void): void {
  hashingClient.run(client, next);
}

/** argon2 computations one client may have running or waiting at once. */
const PER_CLIENT = 2;

/**
 * At most `concurrency` argon2 computations at once, with a bounded queue behind them: hashing
 * (tens of milliseconds and tens of MiB each) can never take all memory, CPU and threads of the
 * process, and a flood of password forms gets 503 instead of slowing every page down. One client
 * holds at most two places, so that a single address cannot fill the queue for everyone (429).
 */
class HashGate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  private readonly perClient = new Map<string, number>();
  constructor(
    public concurrency: number,
    public queue: number,
  ) {}

  /** argon2 computations started since the process began (for measurements and tests). */
  started = 0;

  async run<T>(work: () => Promise<T>): Promise<T> {
    const client = hashingClient.getStore();
    const held = client ? (this.perClient.get(client) ?? 0) : 0;
    if (client && held >= PER_CLIENT) throw new TooManyRequestsError(2);
    if (this.running >= this.concurrency && this.waiting.length >= this.queue) throw new OverloadedError(2);
    if (client) this.perClient.set(client, held + 1);
    try {
      if (this.running >= this.concurrency) await new Promise<void>((resolve) => this.waiting.push(resolve));
      else this.running++;
      try {
        this.started++;
        return await work();
      } finally {
        // The slot passes straight to the next in line, so `running` never drops between them.
        const next = this.waiting.shift();
        if (next) next();
        else this.running--;
      }
    } finally {
      if (client) {
        const left = (this.perClient.get(client) ?? 1) - 1;
        if (left > 0) this.perClient.set(client, left);
        else this.perClient.delete(client);
      }
    }
  }
}

/**
 * Two gates: checking a password at login, and hashing a new one (registration, reset, invitation,
 * change). A flood of one never keeps people from the other.
 */
const signInGate = new HashGate(1, 16);
const newPasswordGate = new HashGate(1, 16);

/** How many argon2 hashes and verifications this process has started. */
export function passwordHashesStarted(): number {
  return signInGate.started + newPasswordGate.started;
}

/** Sets the limits of the hashing gates (from the configuration, at start). */
export function limitPasswordHashing(concurrency: number, queue: number): void {
  for (const gate of [signInGate, newPasswordGate]) {
    gate.concurrency = concurrency;
    gate.queue = queue;
  }
}

/**
 * argon2id with one of OWASP's recommended settings (46 MiB, 1 pass, 1 lane). One lane keeps a hash
 * on one core, so the other core keeps serving pages; hashes made with other settings (the
 * library's defaults before) still verify, their settings are in the hash.
 */
const ARGON2 = { type: argon2.argon2id, memoryCost: 47104, timeCost: 1, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return newPasswordGate.run(() => argon2.hash(password, ARGON2));
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  return signInGate.run(async () => {
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
