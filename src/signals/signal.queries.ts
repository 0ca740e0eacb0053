import { SupplierSuspendedError } from '../shared/errors';
import type { EntityManager } from 'typeorm';

/** A signal's row: what is not secret in columns, the content sealed. */
export interface SignalRow {
  id: string;
  number: string;
  supplierId: string;
  category: string;
  confidence: string;
  observedOn: string;
  expiresOn: string;
  sealed: string;
  source: string;
  createdAt: Date;
  withdrawnAt: Date | null;
}

const COLUMNS = `id, number::text AS number, signal_supplier_id AS "supplierId", category, confidence,
  to_char(observed_on, 'YYYY-MM-DD') AS "observedOn", to_char(expires_on, 'YYYY-MM-DD') AS "expiresOn",
  sealed, source, created_at AS "createdAt", withdrawn_at AS "withdrawnAt"`;

/**
 * Locks the supplier's row for the signals about to be numbered (the lock the numbering trigger
 * takes too, so no deadlock); refuses a supplier that is suspended (F22) or unknown.
 */
export async function lockActiveSupplier(manager: EntityManager, supplierId: string): Promise<void> {
  const [row] = await manager.query<{ suspended: boolean }[]>(
    `SELECT disabled_at IS NOT NULL AS suspended FROM signal_suppliers WHERE id = $1 FOR NO KEY UPDATE`,
    [supplierId],
  );
  if (!row || row.suspended) throw new SupplierSuspendedError();
}

/** Inserts a signal; the database gives it its supplier's next number (trigger `signal_numbered`, F19). */
export async function insertSignal(
  manager: EntityManager,
  row: {
    supplierId: string;
    category: string;
    confidence: string;
    observedOn: string;
    expiresOn: string;
    sealed: string;
    source: string;
    createdAt: Date;
    createdBy: string | null;
    apiKeyId: string | null;
  },
): Promise<{ id: string; number: string }> {
  const [inserted] = await manager.query<{ id: string; number: string }[]>(
    `INSERT INTO signals (signal_supplier_id, category, confidence, observed_on, expires_on, sealed, source,
                          created_at, created_by, created_with_api_key)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id, number::text AS number`,
    [
      row.supplierId,
      row.category,
      row.confidence,
      row.observedOn,
      row.expiresOn,
      row.sealed,
      row.source,
      row.createdAt,
      row.createdBy,
      row.apiKeyId,
    ],
  );
  return inserted!;
}

export async function insertSignalIdentifiers(
  manager: EntityManager,
  signalId: string,
  macs: { kind: string; mac: string }[],
): Promise<void> {
  if (macs.length === 0) return;
  await manager.query(
    `INSERT INTO signal_identifiers (signal_id, kind, mac)
     SELECT $1, kind, mac FROM unnest($2::text[], $3::text[]) AS t(kind, mac) ON CONFLICT DO NOTHING`,
    [signalId, macs.map((m) => m.kind), macs.map((m) => m.mac)],
  );
}

/** One signal by id (locked for a change when `lock`). */
export async function signalRowOf(
  manager: EntityManager,
  id: string,
  lock = false,
): Promise<SignalRow | undefined> {
  const [row] = await manager.query<SignalRow[]>(
    `SELECT ${COLUMNS} FROM signals WHERE id = $1::uuid${lock ? ' FOR UPDATE' : ''}`,
    [id],
  );
  return row;
}

/** A page of an organisation's signals, newest first, and how many it has. */
export async function signalPage(
  manager: EntityManager,
  supplierId: string,
  offset: number,
  limit: number,
): Promise<{ signals: SignalRow[]; total: number }> {
  const [signals, [count]] = await Promise.all([
    manager.query<SignalRow[]>(
      `SELECT ${COLUMNS} FROM signals WHERE signal_supplier_id = $1 ORDER BY signals.number DESC OFFSET $2 LIMIT $3`,
      [supplierId, offset, limit],
    ),
    manager.query<{ total: number }[]>(
      `SELECT count(*)::int AS total FROM signals WHERE signal_supplier_id = $1`,
      [supplierId],
    ),
  ]);
  return { signals, total: count!.total };
}

export async function withdrawSignalRow(
  manager: EntityManager,
  id: string,
  userId: string | null,
  now: Date,
): Promise<void> {
  await manager.query(`UPDATE signals SET withdrawn_at = $2, withdrawn_by = $3 WHERE id = $1`, [
    id,
    now,
    userId,
  ]);
}

/**
 * Records a confirmed import of a file (by its digest) for the supplier, once: answers undefined when
 * it is new, else when and with how many signals the same file was imported before. A concurrent
 * confirm of the same file waits on the key and then finds the first.
 */
export async function recordSignalImport(
  manager: EntityManager,
  supplierId: string,
  digest: string,
  userId: string | null,
  count: number,
  now: Date,
): Promise<{ importedAt: Date; count: number } | undefined> {
  const inserted = await manager.query<unknown[]>(
    `INSERT INTO signal_imports (signal_supplier_id, digest, imported_at, imported_by, signal_count)
     VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING RETURNING 1`,
    [supplierId, digest, now, userId, count],
  );
  if (inserted.length > 0) return undefined;
  const [row] = await manager.query<{ imported_at: Date; signal_count: number }[]>(
    `SELECT imported_at, signal_count FROM signal_imports WHERE signal_supplier_id = $1 AND digest = $2`,
    [supplierId, digest],
  );
  return { importedAt: row!.imported_at, count: row!.signal_count };
}
