import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal details of audit events, kept beside the public log (issue 16): an event that needs them
 * (the IP address of a security event, the address an invitation went to) carries only
 * `personalData`, SHA-256 over this row's salt and the canonical JSON of its data. Rows are written
 * with their event and never changed; erasing a person's details (AVG art. 17) deletes rows, which
 * leaves the log and its hashes whole. The runtime role may insert, read and delete, not update.
 */
export class AuditPersonalData1764701000000 implements MigrationInterface {
  name = 'AuditPersonalData1764701000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE audit_personal_data (
        -- Events are never deleted (the log refuses it); an insider who removes some behind the
        -- triggers' back takes their details along rather than being stopped here.
        event_id bigint PRIMARY KEY REFERENCES audit_events(id) ON DELETE CASCADE,
        data jsonb NOT NULL CONSTRAINT audit_personal_data_object CHECK (jsonb_typeof(data) = 'object'),
        salt bytea NOT NULL CONSTRAINT audit_personal_data_salt_length CHECK (length(salt) >= 16)
      )`);
    await q.query(`
      CREATE TRIGGER audit_personal_data_no_update BEFORE UPDATE ON audit_personal_data
      FOR EACH ROW EXECUTE FUNCTION refuse_change()`);
    // Erasing by person: the address a row names (invitations, accounts).
    await q.query(`CREATE INDEX audit_personal_data_email ON audit_personal_data (lower(data->>'email'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE audit_personal_data`);
  }
}
