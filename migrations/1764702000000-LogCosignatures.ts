import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The cosignatures witnesses sent for the log's checkpoints (C2SP tlog-cosignature): at most one per
 * witness and checkpoint, kept verbatim (the signature line) beside when the witness says it
 * cosigned. Append-only like the checkpoints themselves. An index on the tree size lets a posted
 * cosignature find the checkpoint whose body it signs.
 */
export class LogCosignatures1764702000000 implements MigrationInterface {
  name = 'LogCosignatures1764702000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE log_cosignatures (
        checkpoint_id bigint NOT NULL REFERENCES log_checkpoints (id),
        witness_name text NOT NULL,
        key_id bytea NOT NULL CONSTRAINT log_cosignatures_key_id_length CHECK (octet_length(key_id) = 4),
        cosigned_at timestamptz NOT NULL,
        signature_line text NOT NULL,
        PRIMARY KEY (checkpoint_id, witness_name)
      )`);
    await q.query(`CREATE INDEX log_checkpoints_size_idx ON log_checkpoints (tree_size)`);
    await q.query(`
      CREATE TRIGGER log_cosignatures_append_only BEFORE UPDATE OR DELETE ON log_cosignatures
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    await q.query(`
      CREATE TRIGGER log_cosignatures_no_truncate BEFORE TRUNCATE ON log_cosignatures
      FOR EACH STATEMENT EXECUTE FUNCTION refuse_change()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX log_checkpoints_size_idx`);
    await q.query(`DROP TABLE log_cosignatures`);
  }
}
