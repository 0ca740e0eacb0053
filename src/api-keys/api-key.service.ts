import { isOneLine } from '../shared/forbidden-characters';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { CONFIDENTIAL_LEAF_FIELD } from '../audit/leaf-entry';
import type { User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';

/**
 * The data of a key's audit event. A signal supplier's key events get a confidential leaf whoever
 * acts (an administrator who revokes a police key as well): `api_key.revoked` by `admin` happens to
 * no other organisation's keys, so its public leaf would say that a police key was pulled (F18).
 */
function keyEventData(by: ApiKeyActor, prefix: string): Record<string, unknown> {
  return {
    organisationId: by.organisationId,
    prefix,
    ...(by.owner === 'signal_supplier' ? { [CONFIDENTIAL_LEAF_FIELD]: true } : {}),
  };
}

/** A key as its organisation's list shows it: never the secret, never its hash. */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdBy: string | null;
  createdByName: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Whose keys: a buyer organisation's (issue 18, webhook subscriptions) or a signal supplier's
 * (issue 19, signals). A key belongs to exactly one; each API accepts only its own kind.
 */
export type ApiKeyOwner = 'buyer' | 'signal_supplier';

/** The column of `api_keys` naming the owner of each kind (constants, never input). */
const OWNER_COLUMN: Record<ApiKeyOwner, string> = {
  buyer: 'buyer_organisation_id',
  signal_supplier: 'signal_supplier_id',
};

/** The organisation an API request acts for, what kind of organisation it is, and the key that says so. */
export interface ApiKeyHolder {
  keyId: string;
  owner: ApiKeyOwner;
  organisationId: string;
  prefix: string;
  /** The key's signal supplier organisation is suspended by an administrator (F22): the key works for nothing. */
  suspended: boolean;
}

/** Who acts on an organisation's keys: the organisation (of kind `owner`, a buyer's when absent), the person, the audit actor. */
export interface ApiKeyActor {
  organisationId: string;
  userId: string;
  actor: string;
  owner?: ApiKeyOwner;
}

/** A signed-in buyer as the buyer pages act: their organisation, their id and their audit actor. */
export function buyerOf(user: User | undefined): { organisationId: string; userId: string; actor: string } {
  if (!user?.buyerOrganisationId) throw new Error('buyerOf: not a buyer (requireRole(buyer) missing?)');
  return { organisationId: user.buyerOrganisationId, userId: user.id, actor: actorOf(user) };
}

/** A signed-in signal supplier as the key pages act: their organisation, their id and their audit actor. */
export function signalSupplierKeyActor(user: User | undefined): Required<ApiKeyActor> {
  if (!user?.signalSupplierId)
    throw new Error('not a signal supplier (requireRole(signal_supplier) missing?)');
  return {
    organisationId: user.signalSupplierId,
    userId: user.id,
    actor: actorOf(user),
    owner: 'signal_supplier',
  };
}

/** Every key starts with this, so a secret scanner (and a person) can tell what leaked. */
const KEY_START = 'vhpk_';
/** `vhpk_<prefix>_<secret>`: the prefix (public id, 12 base64url characters) and 32 random bytes. */
const KEY_FORMAT = /^vhpk_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;

/** `last_used_at` is written at most this often per key: a busy client costs no write per request. */
export const LAST_USED_RESOLUTION_MS = 60_000;

/**
 * The stored hash of a key. SHA-256, not a password hash (bcrypt, scrypt): the secret is 256
 * random bits, not something a person chose, so there is nothing to guess and a slow hash would
 * only slow every API request; the hash is kept so that a copy of the database gives no key.
 */
export function keyHash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A new key: its public prefix and the whole key, shown once. */
export function newApiKey(): { prefix: string; key: string } {
  const prefix = randomBytes(9).toString('base64url');
  return { prefix, key: `${KEY_START}${prefix}_${randomBytes(32).toString('base64url')}` };
}

const COLUMNS = `k.id, k.name, k.prefix, k.created_by, u.name AS created_by_name, k.created_at, k.last_used_at, k.revoked_at`;

interface KeyRecord {
  id: string;
  name: string;
  prefix: string;
  created_by: string | null;
  created_by_name: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const toKey = (r: KeyRecord): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  createdBy: r.created_by,
  createdByName: r.created_by_name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  revokedAt: r.revoked_at,
});

/** The organisation's keys, the active ones first, newest first. */
export async function listApiKeys(
  manager: EntityManager,
  organisationId: string,
  owner: ApiKeyOwner = 'buyer',
): Promise<ApiKey[]> {
  const rows = await manager.query<KeyRecord[]>(
    `SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by
      WHERE k.${OWNER_COLUMN[owner]} = $1
      ORDER BY k.revoked_at IS NOT NULL, k.created_at DESC, k.id`,
    [organisationId],
  );
  return rows.map(toKey);
}

/** Makes a key for the organisation; answers it with the whole key, the only time it is shown. */
export async function createApiKey(
  dataSource: DataSource,
  by: ApiKeyActor,
  name: string,
  now: Date,
): Promise<{ apiKey: ApiKey; key: string }> {
  const trimmed = name.trim();
  if (!trimmed) throw new ValidationError({ keyName: ['apiKeys.invalid.nameMissing'] });
  if (trimmed.length > 200) throw new ValidationError({ keyName: ['apiKeys.invalid.nameTooLong'] });
  if (!isOneLine(trimmed)) throw new ValidationError({ keyName: ['validation.oneLine'] });
  const { prefix, key } = newApiKey();
  return dataSource.transaction(async (m) => {
    const rows = await m.query<{ id: string }[]>(
      `INSERT INTO api_keys (${OWNER_COLUMN[by.owner ?? 'buyer']}, name, prefix, key_hash, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [by.organisationId, trimmed, prefix, keyHash(key), by.userId, now],
    );
    const id = rows[0]!.id;
    await appendAuditEvent(m, now, {
      actor: by.actor,
      action: 'api_key.created',
      subjectType: 'api_key',
      subjectId: id,
      data: keyEventData(by, prefix),
    });
    const [created] = await m.query<KeyRecord[]>(
      `SELECT ${COLUMNS} FROM api_keys k LEFT JOIN users u ON u.id = k.created_by WHERE k.id = $1`,
      [id],
    );
    return { apiKey: toKey(created!), key };
  });
}

/** Revokes a key of the organisation (NotFoundError for another's); revoking twice changes nothing. */
export async function revokeApiKey(
  dataSource: DataSource,
  by: ApiKeyActor,
  id: string,
  now: Date,
): Promise<void> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) throw new NotFoundError();
  await dataSource.transaction(async (m) => {
    const [rows] = await m.query<[{ prefix: string; revoked_at: Date | null }[], number]>(
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, $3), revoked_by = coalesce(revoked_by, $4)
        WHERE id = $1 AND ${OWNER_COLUMN[by.owner ?? 'buyer']} = $2
        RETURNING prefix, revoked_at`,
      [id, by.organisationId, now, by.userId],
    );
    const row = rows[0];
    if (!row) throw new NotFoundError();
    if (row.revoked_at && row.revoked_at.getTime() !== now.getTime()) return;
    await appendAuditEvent(m, now, {
      actor: by.actor,
      action: 'api_key.revoked',
      subjectType: 'api_key',
      subjectId: id,
      data: keyEventData(by, row.prefix),
    });
  });
}

/**
 * The organisation a presented key acts for (and whether a buyer organisation or a signal supplier,
 * and whether that supplier is suspended), or undefined for a malformed, unknown or revoked key
 * (one answer for all three: a caller learns nothing about which prefixes exist). The hashes are
 * compared in constant time. `last_used_at` is moved at most once a minute.
 */
export async function authenticateApiKey(
  manager: EntityManager,
  presented: string,
  now: Date,
): Promise<ApiKeyHolder | undefined> {
  const match = KEY_FORMAT.exec(presented);
  const prefix = match?.[1];
  if (!prefix) return undefined;
  const rows = await manager.query<
    {
      id: string;
      buyer_organisation_id: string | null;
      signal_supplier_id: string | null;
      key_hash: string;
      last_used_at: Date | null;
      suspended: boolean;
    }[]
  >(
    `SELECT k.id, k.buyer_organisation_id, k.signal_supplier_id, k.key_hash, k.last_used_at,
            s.disabled_at IS NOT NULL AS suspended
       FROM api_keys k LEFT JOIN signal_suppliers s ON s.id = k.signal_supplier_id
      WHERE k.prefix = $1 AND k.revoked_at IS NULL`,
    [prefix],
  );
  const row = rows[0];
  const expected = Buffer.from(row?.key_hash ?? keyHash(`${KEY_START}unknown`), 'hex');
  const equal = timingSafeEqual(expected, Buffer.from(keyHash(presented), 'hex'));
  if (!row || !equal) return undefined;
  const { suspended } = row;
  // A suspended organisation's key is refused: it was not used.
  if (
    !suspended &&
    (!row.last_used_at || now.getTime() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS)
  ) {
    await manager.query(
      `UPDATE api_keys SET last_used_at = $2
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at <= $2::timestamptz - interval '1 minute')`,
      [row.id, now],
    );
  }
  return row.buyer_organisation_id
    ? { keyId: row.id, owner: 'buyer', organisationId: row.buyer_organisation_id, prefix, suspended }
    : { keyId: row.id, owner: 'signal_supplier', organisationId: row.signal_supplier_id!, prefix, suspended };
}
