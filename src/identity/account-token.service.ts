import type { DataSource, EntityManager } from 'typeorm';
import { IsNull } from 'typeorm';
import { randomToken, sha256Hex } from '../shared/tokens';
import { AccountToken, type TokenPurpose } from './account-token.entity';

/** Single-use links (invitations, password resets): only the token's hash is stored. */

/** Stores a new single-use token and answers the token itself, which only its mail will carry. */
export async function issueToken(
  manager: EntityManager,
  input: Omit<
    AccountToken,
    'id' | 'tokenHash' | 'createdAt' | 'usedAt' | 'expiresAt' | 'revokedAt' | 'payload'
  > & {
    payload?: string;
  },
  validForMs: number,
  now: Date,
): Promise<string> {
  const token = randomToken();
  await manager.insert(AccountToken, {
    ...input,
    tokenHash: sha256Hex(token),
    // Stamped by the app's clock, like every limit that counts these tokens per hour.
    createdAt: now,
    expiresAt: new Date(now.getTime() + validForMs),
  });
  return token;
}

/** A token works once, until it expires (a revoked invitation counts as used). */
function stillUsable(row: Pick<AccountToken, 'usedAt' | 'expiresAt'>, now: Date): boolean {
  return !row.usedAt && row.expiresAt.getTime() > now.getTime();
}

/** Claims a single-use token inside the caller's transaction; undefined when unknown, used or expired. */
export async function claimToken(
  manager: EntityManager,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountToken | undefined> {
  const row = await manager
    .getRepository(AccountToken)
    .createQueryBuilder('t')
    .where('t.token_hash = :hash AND t.purpose = :purpose', { hash: sha256Hex(token), purpose })
    .setLock('pessimistic_write')
    .getOne();
  if (!row || !stillUsable(row, now)) return undefined;
  await manager.update(AccountToken, row.tokenHash, { usedAt: now });
  return row;
}

/** Whether a token could still be used (for showing the form behind a link). */
export async function tokenUsable(
  dataSource: DataSource,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<AccountToken | undefined> {
  const row = await dataSource
    .getRepository(AccountToken)
    .findOneBy({ tokenHash: sha256Hex(token), purpose, usedAt: IsNull() });
  return row && stillUsable(row, now) ? row : undefined;
}

/**
 * What a link's token is now: `usable`, `unknown` (never issued: a mistyped or made-up link) or
 * `spent` (used, revoked, replaced or expired), so that its page can answer 404 or 410.
 */
export async function tokenState(
  dataSource: DataSource,
  token: string,
  purpose: TokenPurpose,
  now: Date,
): Promise<{ state: 'usable'; row: AccountToken } | { state: 'unknown' | 'spent' }> {
  const row = await dataSource
    .getRepository(AccountToken)
    .findOneBy({ tokenHash: sha256Hex(token), purpose });
  if (!row) return { state: 'unknown' };
  return stillUsable(row, now) ? { state: 'usable', row } : { state: 'spent' };
}
