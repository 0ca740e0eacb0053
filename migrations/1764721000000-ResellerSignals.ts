import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 19: reseller signals. The police (a signal supplier) share warnings about malicious
 * resellers; providers declare their resellers and hear only of the signals that match them; the
 * supplier learns aggregate outcomes only.
 *
 * - `signal_suppliers`: the organisations that may send signals; `users.signal_supplier_id` ties a
 *   person of role `signal_supplier` to one, and `api_keys` now belong to a buyer organisation or
 *   to a signal supplier (exactly one).
 * - `signals`: what is not secret (category, confidence, dates, who sent it) in columns; what
 *   identifies the reseller and the free text only in `sealed`, encrypted with the secrets key
 *   (`v1:…`), which lives outside the database.
 * - `signal_identifiers`: keyed HMACs (blind indexes) of a signal's exact identifiers (KvK number,
 *   domain, mail domain, AS number), so that matching needs no clear text in the database. IP ranges
 *   and names are matched after unsealing, by the application.
 * - `declared_resellers`: a provider's own resellers (its own data, in clear), and
 *   `declared_reseller_identifiers`: their identifiers as the matching reads them (HMACs of the
 *   exact ones with the same key, IP ranges as `cidr`, name keys for fuzzy matching).
 * - `signal_matches`: a signal that matches a provider's declared reseller: exact, or a possible
 *   match (names only) for the provider to confirm or dismiss; what the provider did
 *   (`signal_match_answers`, newest is in force) and by when it must answer.
 */
export class ResellerSignals1764721000000 implements MigrationInterface {
  name = 'ResellerSignals1764721000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE signal_suppliers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL CONSTRAINT signal_suppliers_name_key UNIQUE
          CONSTRAINT signal_suppliers_name_present CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz
      )`);

    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_known`);
    await q.query(`
      ALTER TABLE users
        ADD COLUMN signal_supplier_id uuid REFERENCES signal_suppliers (id) ON DELETE RESTRICT,
        ADD CONSTRAINT users_role_known
          CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer', 'signal_supplier')),
        ADD CONSTRAINT users_signal_supplier CHECK ((role = 'signal_supplier') = (signal_supplier_id IS NOT NULL)),
        ADD CONSTRAINT users_signal_supplier_no_provider CHECK (role <> 'signal_supplier' OR provider_id IS NULL)`);
    await q.query(`CREATE INDEX users_signal_supplier_idx ON users (signal_supplier_id)`);
    await q.query(`
      ALTER TABLE account_tokens
        ADD COLUMN signal_supplier_id uuid REFERENCES signal_suppliers (id) ON DELETE CASCADE,
        DROP CONSTRAINT account_tokens_role_known,
        ADD CONSTRAINT account_tokens_role_known
          CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer', 'signal_supplier')),
        ADD CONSTRAINT account_tokens_signal_supplier
          CHECK (purpose <> 'invitation' OR (role = 'signal_supplier') = (signal_supplier_id IS NOT NULL))`);

    await q.query(`
      ALTER TABLE api_keys
        ALTER COLUMN buyer_organisation_id DROP NOT NULL,
        ADD COLUMN signal_supplier_id uuid REFERENCES signal_suppliers (id) ON DELETE RESTRICT,
        ADD CONSTRAINT api_keys_one_owner CHECK (num_nonnulls(buyer_organisation_id, signal_supplier_id) = 1)`);
    await q.query(`CREATE INDEX api_keys_signal_supplier_idx ON api_keys (signal_supplier_id)`);

    await q.query(`
      CREATE TABLE signals (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- Shown as SIG-000123: the reference the supplier and the provider use in mail and on the phone.
        number bigint GENERATED ALWAYS AS IDENTITY CONSTRAINT signals_number_key UNIQUE,
        signal_supplier_id uuid NOT NULL REFERENCES signal_suppliers (id) ON DELETE RESTRICT,
        category text NOT NULL CONSTRAINT signals_category_known CHECK (category IN (
          'ransomware', 'phishing', 'spam', 'malware', 'botnet', 'ddos', 'fraud', 'child_abuse', 'other')),
        confidence text NOT NULL CONSTRAINT signals_confidence_known CHECK (confidence IN ('low', 'medium', 'high')),
        -- The signal's date (what the supplier observed or decided on) and the last day it counts.
        observed_on date NOT NULL,
        expires_on date NOT NULL,
        -- The reseller's identifiers and the free text, as JSON encrypted with the secrets key.
        sealed text NOT NULL CONSTRAINT signals_sealed CHECK (sealed LIKE 'v1:%'),
        source text NOT NULL CONSTRAINT signals_source_known CHECK (source IN ('form', 'spreadsheet', 'api')),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_with_api_key uuid REFERENCES api_keys (id) ON DELETE SET NULL,
        withdrawn_at timestamptz,
        withdrawn_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT signals_dates_order CHECK (expires_on >= observed_on)
      )`);
    await q.query(`CREATE INDEX signals_supplier_idx ON signals (signal_supplier_id, number DESC)`);
    await q.query(`CREATE INDEX signals_current_idx ON signals (expires_on) WHERE withdrawn_at IS NULL`);

    await q.query(`
      CREATE TABLE signal_identifiers (
        signal_id uuid NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT signal_identifiers_kind_known
          CHECK (kind IN ('kvk', 'domain', 'mail_domain', 'as_number')),
        -- HMAC-SHA256 (hex) of the normalised identifier, keyed from the secrets key.
        mac char(64) NOT NULL,
        PRIMARY KEY (signal_id, kind, mac)
      )`);
    await q.query(`CREATE INDEX signal_identifiers_mac_idx ON signal_identifiers (kind, mac)`);

    await q.query(`
      CREATE TABLE declared_resellers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
        -- The provider's own reference for this customer (contract or customer number).
        reference text NOT NULL DEFAULT '' CONSTRAINT declared_resellers_reference_length CHECK (length(reference) <= 200),
        names text[] NOT NULL DEFAULT '{}',
        kvk_number char(8) CONSTRAINT declared_resellers_kvk_format CHECK (kvk_number ~ '^[0-9]{8}$'),
        domains text[] NOT NULL DEFAULT '{}',
        mail_domains text[] NOT NULL DEFAULT '{}',
        ip_ranges cidr[] NOT NULL DEFAULT '{}',
        as_numbers bigint[] NOT NULL DEFAULT '{}',
        source text NOT NULL CONSTRAINT declared_resellers_source_known CHECK (source IN ('form', 'spreadsheet')),
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        removed_at timestamptz,
        removed_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT declared_resellers_identified CHECK (
          cardinality(names) + cardinality(domains) + cardinality(mail_domains) + cardinality(ip_ranges)
            + cardinality(as_numbers) + (CASE WHEN kvk_number IS NULL THEN 0 ELSE 1 END) > 0)
      )`);
    await q.query(
      `CREATE INDEX declared_resellers_provider_idx ON declared_resellers (provider_id, created_at) WHERE removed_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE declared_reseller_identifiers (
        declared_reseller_id uuid NOT NULL REFERENCES declared_resellers (id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
        kind text NOT NULL CONSTRAINT declared_reseller_identifiers_kind_known
          CHECK (kind IN ('kvk', 'domain', 'mail_domain', 'as_number', 'ip_range', 'name')),
        mac char(64),
        ip_range cidr,
        name_key text,
        CONSTRAINT declared_reseller_identifiers_one_value CHECK (
          CASE kind WHEN 'ip_range' THEN ip_range IS NOT NULL AND mac IS NULL AND name_key IS NULL
                    WHEN 'name' THEN name_key IS NOT NULL AND mac IS NULL AND ip_range IS NULL
                    ELSE mac IS NOT NULL AND ip_range IS NULL AND name_key IS NULL END)
      )`);
    await q.query(
      `CREATE INDEX declared_reseller_identifiers_reseller_idx ON declared_reseller_identifiers (declared_reseller_id)`,
    );
    await q.query(
      `CREATE INDEX declared_reseller_identifiers_mac_idx ON declared_reseller_identifiers (kind, mac) WHERE mac IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX declared_reseller_identifiers_ip_idx ON declared_reseller_identifiers
         USING gist (ip_range inet_ops) WHERE ip_range IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX declared_reseller_identifiers_name_idx ON declared_reseller_identifiers
         USING gin (name_key gin_trgm_ops) WHERE name_key IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE signal_matches (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        signal_id uuid NOT NULL REFERENCES signals (id) ON DELETE CASCADE,
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE CASCADE,
        declared_reseller_id uuid NOT NULL REFERENCES declared_resellers (id) ON DELETE CASCADE,
        -- exact: an identifier is the same; possible: only a name resembles (the provider confirms or dismisses).
        kind text NOT NULL CONSTRAINT signal_matches_kind_known CHECK (kind IN ('exact', 'possible')),
        -- What matched: kvk, domain, mail_domain, as_number, ip_range, name.
        matched_on text[] NOT NULL,
        matched_at timestamptz NOT NULL,
        -- The provider must answer by then (SIGNAL_ANSWER_DAYS after the match).
        answer_due_at timestamptz NOT NULL,
        -- A possible match the provider confirmed (it is then a match like an exact one) or dismissed.
        confirmed_at timestamptz,
        dismissed_at timestamptz,
        decided_by uuid REFERENCES users (id) ON DELETE SET NULL,
        -- The answer in force (the newest of signal_match_answers) and when the first came.
        action text CONSTRAINT signal_matches_action_known CHECK (action IN (
          'terminated', 'suspended', 'investigating', 'not_our_customer', 'disputed')),
        first_answered_at timestamptz,
        -- The provider lets the signal supplier see its name, the reseller's reference and its answer for this match.
        shared_at timestamptz,
        notified_at timestamptz,
        -- Days before the deadline whose reminder went out (from SIGNAL_REMINDER_DAYS).
        reminded_days integer[] NOT NULL DEFAULT '{}',
        overdue_at timestamptz,
        CONSTRAINT signal_matches_once UNIQUE (signal_id, declared_reseller_id),
        CONSTRAINT signal_matches_decided_once CHECK (confirmed_at IS NULL OR dismissed_at IS NULL),
        CONSTRAINT signal_matches_decided_possible CHECK (kind = 'possible' OR (confirmed_at IS NULL AND dismissed_at IS NULL))
      )`);
    await q.query(
      `CREATE INDEX signal_matches_provider_idx ON signal_matches (provider_id, matched_at DESC)`,
    );
    await q.query(`CREATE INDEX signal_matches_signal_idx ON signal_matches (signal_id)`);
    await q.query(
      `CREATE INDEX signal_matches_open_idx ON signal_matches (answer_due_at)
         WHERE first_answered_at IS NULL AND dismissed_at IS NULL`,
    );

    await q.query(`
      CREATE TABLE signal_match_answers (
        id bigserial PRIMARY KEY,
        signal_match_id uuid NOT NULL REFERENCES signal_matches (id) ON DELETE CASCADE,
        action text NOT NULL CONSTRAINT signal_match_answers_action_known CHECK (action IN (
          'terminated', 'suspended', 'investigating', 'not_our_customer', 'disputed')),
        -- Required for disputed; optional otherwise. Seen by the supplier only when the match is shared.
        note text NOT NULL DEFAULT '' CONSTRAINT signal_match_answers_note_length CHECK (length(note) <= 2000),
        answered_at timestamptz NOT NULL,
        answered_by uuid REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT signal_match_answers_dispute_reason CHECK (action <> 'disputed' OR length(btrim(note)) > 0)
      )`);
    await q.query(
      `CREATE INDEX signal_match_answers_match_idx ON signal_match_answers (signal_match_id, id)`,
    );

    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN (
        'aan_missing_from_list', 'aan_list_differs',
        'organisation_taken_over', 'organisation_claim', 'name_resembles_verified',
        'eherkenning_after_hand_over',
        'signal_match_overdue', 'reseller_declarations_many'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DELETE FROM review_tasks WHERE kind IN ('signal_match_overdue', 'reseller_declarations_many')`,
    );
    await q.query(`ALTER TABLE review_tasks DROP CONSTRAINT review_tasks_kind_known`);
    await q.query(`
      ALTER TABLE review_tasks ADD CONSTRAINT review_tasks_kind_known CHECK (kind IN (
        'aan_missing_from_list', 'aan_list_differs',
        'organisation_taken_over', 'organisation_claim', 'name_resembles_verified',
        'eherkenning_after_hand_over'))`);
    await q.query(`DROP TABLE signal_match_answers`);
    await q.query(`DROP TABLE signal_matches`);
    await q.query(`DROP TABLE declared_reseller_identifiers`);
    await q.query(`DROP TABLE declared_resellers`);
    await q.query(`DROP TABLE signal_identifiers`);
    await q.query(`DROP TABLE signals`);
    await q.query(`DELETE FROM api_keys WHERE signal_supplier_id IS NOT NULL`);
    await q.query(`
      ALTER TABLE api_keys
        DROP CONSTRAINT api_keys_one_owner,
        DROP COLUMN signal_supplier_id,
        ALTER COLUMN buyer_organisation_id SET NOT NULL`);
    await q.query(`DELETE FROM account_tokens WHERE role = 'signal_supplier'`);
    await q.query(`
      ALTER TABLE account_tokens
        DROP CONSTRAINT account_tokens_signal_supplier,
        DROP CONSTRAINT account_tokens_role_known,
        DROP COLUMN signal_supplier_id,
        ADD CONSTRAINT account_tokens_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer'))`);
    await q.query(`DELETE FROM users WHERE role = 'signal_supplier'`);
    await q.query(`DROP INDEX users_signal_supplier_idx`);
    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_signal_supplier_no_provider,
        DROP CONSTRAINT users_signal_supplier,
        DROP CONSTRAINT users_role_known,
        DROP COLUMN signal_supplier_id,
        ADD CONSTRAINT users_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer'))`);
    await q.query(`DROP TABLE signal_suppliers`);
  }
}
