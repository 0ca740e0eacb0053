import type { DataSource, EntityManager } from 'typeorm';
import type { TokenPurpose } from './account-token.entity';

/** How many invitations this user sent after `since`. */
export async function invitationsSentSince(
  manager: EntityManager,
  userId: string,
  since: Date,
): Promise<number> {
  const [row] = await manager.query<{ sent: number }[]>(
    `SELECT count(*)::int AS sent FROM account_tokens
      WHERE purpose = 'invitation' AND created_by = $1 AND created_at > $2`,
    [userId, since],
  );
  return row?.sent ?? 0;
}

/** How many links of this purpose the account was sent in the hour before `now` (the app's clock). */
export async function linksSentInLastHour(
  manager: EntityManager,
  userId: string,
  purpose: Exclude<TokenPurpose, 'invitation' | 'registration'>,
  now: Date,
): Promise<number> {
  const [row] = await manager.query<{ recent: number }[]>(
    `SELECT count(*)::int AS recent FROM account_tokens
      WHERE user_id = $1 AND purpose = $2 AND created_at > $3::timestamptz - interval '1 hour'`,
    [userId, purpose, now],
  );
  return row?.recent ?? 0;
}

/**
 * How many times in the hour before `now` someone registered with this account's address (each
 * sent the address a notice).
 */
export async function registrationNoticesInLastHour(
  manager: EntityManager,
  userId: string,
  now: Date,
): Promise<number> {
  const [row] = await manager.query<{ recent: number }[]>(
    `SELECT count(*)::int AS recent FROM audit_events
      WHERE subject_type = 'user' AND subject_id = $1 AND action = 'user.registration_attempted'
        AND occurred_at > $2::timestamptz - interval '1 hour'`,
    [userId, now],
  );
  return row?.recent ?? 0;
}

/** How many pending registrations were made with this address in the hour before `now` (each mailed it a link). */
export async function registrationsInLastHour(
  manager: EntityManager,
  email: string,
  now: Date,
): Promise<number> {
  const [row] = await manager.query<{ recent: number }[]>(
    `SELECT count(*)::int AS recent FROM account_tokens
      WHERE purpose = 'registration' AND email = $1 AND created_at > $2::timestamptz - interval '1 hour'`,
    [email, now],
  );
  return row?.recent ?? 0;
}

/**
 * Ends the address's open pending registrations (a newer one replaces them, or one was completed):
 * their links stop working and what they held is dropped.
 */
export async function endPendingRegistrations(
  manager: EntityManager,
  email: string,
  now: Date,
): Promise<void> {
  await manager.query(
    `UPDATE account_tokens SET used_at = coalesce(used_at, $2), payload = NULL
      WHERE purpose = 'registration' AND email = $1 AND (used_at IS NULL OR payload IS NOT NULL)`,
    [email, now],
  );
}

/** Marks every link of this purpose of the account still outstanding as used, at `now`. */
export async function useUpLinks(
  manager: EntityManager,
  userId: string,
  purpose: Exclude<TokenPurpose, 'invitation' | 'registration'>,
  now: Date,
): Promise<void> {
  await manager.query(
    `UPDATE account_tokens SET used_at = $3 WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL`,
    [userId, purpose, now],
  );
}

/** Deletes the account's sessions (signed in or waiting for the second factor), except `keepSessionId`. */
export async function deleteSessionsOf(
  manager: EntityManager,
  userId: string,
  keepSessionId: string | null,
): Promise<void> {
  await manager.query(
    `DELETE FROM sessions WHERE (sess->>'userId' = $1 OR sess->>'pendingUserId' = $1) AND sid IS DISTINCT FROM $2`,
    [userId, keepSessionId],
  );
}

/**
 * Records `step` as the account's last used TOTP time step unless it used that step or a later
 * one already; answers whether it did (a code counts once).
 */
export async function claimTotpStep(dataSource: DataSource, userId: string, step: number): Promise<boolean> {
  const [, claimed] = await dataSource.query<[unknown, number]>(
    `UPDATE users SET totp_last_step = $2
      WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)`,
    [userId, step],
  );
  return claimed === 1;
}

/** Uses up the account's unused recovery code with one of these hashes; answers whether there was one. */
export async function useRecoveryCode(
  manager: EntityManager,
  userId: string,
  hashes: { hmac: string; sha256: string },
  now: Date,
): Promise<boolean> {
  const [, used] = await manager.query<[unknown, number]>(
    `UPDATE recovery_codes SET used_at = $4
      WHERE user_id = $1 AND used_at IS NULL
        AND ((hash_kind = 'hmac' AND code_hash = $2) OR (hash_kind = 'sha256' AND code_hash = $3))`,
    [userId, hashes.hmac, hashes.sha256, now],
  );
  return used > 0;
}

export interface ClearTotpSecretRow {
  id: string;
  totp_secret: string;
}

/** The accounts whose TOTP seed is still stored in clear. */
export function clearTotpSecrets(dataSource: DataSource): Promise<ClearTotpSecretRow[]> {
  return dataSource.query<ClearTotpSecretRow[]>(
    `SELECT id, totp_secret FROM users WHERE totp_secret IS NOT NULL AND totp_secret NOT LIKE 'v1:%'`,
  );
}

/** Replaces a seed unless it changed meanwhile; answers whether it did. */
export async function replaceTotpSecret(
  dataSource: DataSource,
  userId: string,
  from: string,
  to: string,
): Promise<boolean> {
  const [, changed] = await dataSource.query<[unknown, number]>(
    `UPDATE users SET totp_secret = $1 WHERE id = $2 AND totp_secret = $3`,
    [to, userId, from],
  );
  return changed === 1;
}

/** Locks the active administrators until the caller's transaction ends; answers their ids. */
export async function lockActiveAdmins(manager: EntityManager): Promise<string[]> {
  const rows = await manager.query<{ id: string }[]>(
    `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`,
  );
  return rows.map((r) => r.id);
}

/**
 * Revokes the address's invitations from this inviting party (`providerId`, or null for staff) that
 * expired unused (revoked counts as used): the way is clear for a new one, as the database allows
 * one open invitation per address and party. Answers how many.
 */
export async function revokeExpiredInvitations(
  manager: EntityManager,
  email: string,
  providerId: string | null,
  now: Date,
): Promise<number> {
  const [, revoked] = await manager.query<[unknown, number]>(
    `UPDATE account_tokens SET used_at = $2, revoked_at = $2
      WHERE purpose = 'invitation' AND email = $1 AND provider_id IS NOT DISTINCT FROM $3
        AND used_at IS NULL AND expires_at <= $2`,
    [email, now, providerId],
  );
  return revoked;
}

/** Whether the address has an invitation from this party (null: staff) that is neither used nor revoked. */
export async function hasOpenInvitation(
  manager: EntityManager,
  email: string,
  providerId: string | null,
): Promise<boolean> {
  const [row] = await manager.query<{ open: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM account_tokens
                     WHERE purpose = 'invitation' AND email = $1 AND provider_id IS NOT DISTINCT FROM $2
                       AND used_at IS NULL) AS open`,
    [email, providerId],
  );
  return row?.open ?? false;
}

/**
 * Whether the signal supplier organisation `supplierId` is suspended by an administrator (tester's
 * F22): its people may not sign in nor keep a session, its API keys do not work.
 */
export async function signalSupplierSuspended(manager: EntityManager, supplierId: string): Promise<boolean> {
  const [row] = await manager.query<{ suspended: boolean }[]>(
    `SELECT disabled_at IS NOT NULL AS suspended FROM signal_suppliers WHERE id = $1`,
    [supplierId],
  );
  return row?.suspended ?? true;
}

/** Deletes every session (signed in or waiting for the second factor) of a signal supplier's people. */
export async function deleteSessionsOfSignalSupplier(
  manager: EntityManager,
  supplierId: string,
): Promise<void> {
  await manager.query(
    `WITH people AS (SELECT id::text AS id FROM users WHERE signal_supplier_id = $1)
     DELETE FROM sessions
      WHERE sess->>'userId' IN (SELECT id FROM people) OR sess->>'pendingUserId' IN (SELECT id FROM people)`,
    [supplierId],
  );
}
