import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { CompactRange, leafHash } from '../monitor/lib/merkle';
import type { ChainLink } from '../src/audit/audit-chain';
import { type LegacyPerson, legacyLeafEntry } from '../src/audit/legacy-leaf-entry';

/** Events read (and leaves written) per round of the backfill: memory stays flat however long the log. */
const BATCH = 5000;
/** Rows per INSERT: PostgreSQL takes at most 65,535 parameters in one statement. */
const ROWS_PER_INSERT = 5000;
/** Bytes of salt per leaf (as SALT_BYTES in src/audit/personal-data.ts, written out: a migration stays as it ran). */
const SALT_BYTES = 16;

/**
 * The audit log as a Merkle tree (RFC 9162 §2.1), published as a transparency log: leaf i is the
 * i-th audit event in chain (id) order. merkle_nodes holds every perfect subtree's hash (level 0:
 * the leaf hashes), so that any proof is one indexed read; log_checkpoints every signed checkpoint.
 * All three are append-only like audit_events. merkle_leaves has no foreign key to audit_events,
 * as audit_verifications: a verification must notice an event gone, not be stopped by its leaf.
 *
 * A leaf publishes an event's header, only the data fields known to be public and a digest of its
 * whole data salted with merkle_leaves.salt (16 random bytes per leaf, written with the event):
 * `leafEntry(event, salt)`, which the event and its salt give (entry NULL). The events already in
 * the log are carried over in chain order, each with a fresh salt and its leaf content stored
 * (`legacyLeafEntry`: the same format, the people it names by e-mail address pseudonymised as the
 * users table knows them now).
 */
/**
 * Every problem a verification may record from this migration on (src/audit/chain-problems.ts
 * CHAIN_PROBLEMS, as it is when this migration is written: a migration never changes with the code).
 */
const PROBLEMS = [
  'content_mismatch',
  'predecessor_mismatch',
  'anchor_missing',
  'anchor_mismatch',
  'log_shrank',
  'leaf_mismatch',
  'checkpoint_mismatch',
  'checkpoint_signature',
  'checkpoint_missing',
  'status_event_missing',
  'status_event_unlogged',
  'status_event_altered',
  'attestation_missing',
  'attestation_unlogged',
  'attestation_altered',
];

export class MerkleLog1764700000000 implements MigrationInterface {
  name = 'MerkleLog1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE merkle_leaves (
        leaf_index bigint PRIMARY KEY CONSTRAINT merkle_leaves_index_not_negative CHECK (leaf_index >= 0),
        event_id bigint NOT NULL CONSTRAINT merkle_leaves_event_key UNIQUE,
        entry text,
        salt bytea NOT NULL CONSTRAINT merkle_leaves_salt_length CHECK (octet_length(salt) = 16)
      )`);
    await q.query(`
      CREATE TABLE merkle_nodes (
        level smallint NOT NULL CONSTRAINT merkle_nodes_level_range CHECK (level BETWEEN 0 AND 62),
        index bigint NOT NULL CONSTRAINT merkle_nodes_index_not_negative CHECK (index >= 0),
        hash bytea NOT NULL CONSTRAINT merkle_nodes_hash_length CHECK (octet_length(hash) = 32),
        PRIMARY KEY (level, index)
      )`);
    await q.query(`
      CREATE TABLE log_checkpoints (
        id bigserial PRIMARY KEY,
        tree_size bigint NOT NULL CONSTRAINT log_checkpoints_size_not_negative CHECK (tree_size >= 0),
        root_hash bytea NOT NULL CONSTRAINT log_checkpoints_root_length CHECK (octet_length(root_hash) = 32),
        signed_at timestamptz NOT NULL,
        note text NOT NULL
      )`);
    await q.query(`CREATE INDEX log_checkpoints_signed_idx ON log_checkpoints (signed_at DESC, id DESC)`);
    for (const table of ['merkle_leaves', 'merkle_nodes', 'log_checkpoints']) {
      await q.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
        FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
      await q.query(`
        CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
    }
    await q.query(`
      ALTER TABLE audit_verifications DROP CONSTRAINT audit_verifications_problem,
        ADD CONSTRAINT audit_verifications_problem CHECK (problem IN (${PROBLEMS.map((p) => `'${p}'`).join(', ')}))`);
    await carryOverEvents(q);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE audit_verifications DISABLE TRIGGER audit_verifications_append_only`);
    await q.query(`
      DELETE FROM audit_verifications WHERE problem NOT IN ('content_mismatch', 'predecessor_mismatch', 'anchor_missing', 'anchor_mismatch')`);
    await q.query(`ALTER TABLE audit_verifications ENABLE TRIGGER audit_verifications_append_only`);
    await q.query(`
      ALTER TABLE audit_verifications DROP CONSTRAINT audit_verifications_problem,
        ADD CONSTRAINT audit_verifications_problem
          CHECK (problem IN ('content_mismatch', 'predecessor_mismatch', 'anchor_missing', 'anchor_mismatch'))`);
    await q.query(`DROP TABLE log_checkpoints`);
    await q.query(`DROP TABLE merkle_nodes`);
    await q.query(`DROP TABLE merkle_leaves`);
  }
}

/** Inserts `rows` (each a list of values) into `table (columns)`, many rows per statement. */
async function insertRows(q: QueryRunner, table: string, columns: string, rows: unknown[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    const chunk = rows.slice(i, i + ROWS_PER_INSERT);
    const width = chunk[0]?.length ?? 0;
    const values = chunk.map((row, r) => `(${row.map((_, c) => `$${r * width + c + 1}`).join(', ')})`);
    await q.query(`INSERT INTO ${table} (${columns}) VALUES ${values.join(', ')}`, chunk.flat());
  }
}

/**
 * Every event already in the log becomes a leaf, in chain order: read in id ranges, hashed in
 * Node with a compact range (the right edge of the tree), its leaves and completed nodes written
 * in multi-row INSERTs. Memory holds one batch and the right edge.
 */
async function carryOverEvents(q: QueryRunner): Promise<void> {
  // The people the users table knows, by address: a carried-over leaf names them `<role>:<user id>`.
  const users = (await q.query(
    `SELECT id::text AS id, role, lower(email) AS email FROM users`,
  )) as (LegacyPerson & {
    email: string;
  })[];
  const people = new Map(users.map(({ email, id, role }) => [email, { id, role }]));
  const range = new CompactRange();
  let after = '0';
  for (;;) {
    const events = (await q.query(
      `SELECT id::text AS id, occurred_at AS "occurredAt", actor, action, subject_type AS "subjectType",
              subject_id AS "subjectId", data
         FROM audit_events e WHERE e.id > $1 ORDER BY e.id LIMIT $2`,
      [after, BATCH],
    )) as Omit<ChainLink, 'prevHash' | 'hash'>[];
    const last = events.at(-1);
    if (!last) return;
    const leaves: unknown[][] = [];
    const nodes: unknown[][] = [];
    for (const event of events) {
      const salt = randomBytes(SALT_BYTES);
      const entry = legacyLeafEntry(event, salt, people);
      leaves.push([range.size, event.id, entry, salt]);
      for (const node of range.append(leafHash(entry))) nodes.push([node.level, node.index, node.hash]);
    }
    await insertRows(q, 'merkle_leaves', 'leaf_index, event_id, entry, salt', leaves);
    await insertRows(q, 'merkle_nodes', 'level, index, hash', nodes);
    after = last.id;
  }
}
