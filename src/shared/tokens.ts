import { createHash, randomBytes } from 'node:crypto';

/** A random, URL-safe secret for a single-use link. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
