import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Accounts (users, sessions, second factor, invitations, password resets, rate limits), the mail
 * outbox, and applications with their evidence and messages.
 */
export class AccountsAndApplications1764190000000 implements MigrationInterface {
  name = 'AccountsAndApplications1764190000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CONSTRAINT users_email_key UNIQUE
          CONSTRAINT users_email_format CHECK (email = lower(email) AND email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
        name text NOT NULL CONSTRAINT users_name_present CHECK (length(btrim(name)) > 0),
        role text NOT NULL CONSTRAINT users_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin')),
        -- For provider users the organisation they act for; for staff an organisation they belong to
        -- (a conflict of interest: they never decide on its applications).
        provider_id uuid REFERENCES providers (id) ON DELETE RESTRICT,
        password_hash text NOT NULL,
        totp_secret text,
        totp_enabled_at timestamptz,
        disabled_at timestamptz,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_provider_role CHECK (role <> 'provider' OR provider_id IS NOT NULL),
        CONSTRAINT users_totp_enabled_has_secret CHECK (totp_enabled_at IS NULL OR totp_secret IS NOT NULL)
      )`);
    await q.query(`CREATE INDEX users_provider_idx ON users (provider_id)`);

    await q.query(`
      CREATE TABLE recovery_codes (
        id bigserial PRIMARY KEY,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        code_hash char(64) NOT NULL,
        used_at timestamptz,
        CONSTRAINT recovery_codes_unique UNIQUE (user_id, code_hash)
      )`);

    // Single-use links: only the SHA-256 of the token is stored.
    await q.query(`
      CREATE TABLE account_tokens (
        token_hash char(64) PRIMARY KEY,
        purpose text NOT NULL CONSTRAINT account_tokens_purpose_known CHECK (purpose IN ('invitation', 'password_reset')),
        email text NOT NULL,
        user_id uuid REFERENCES users (id) ON DELETE CASCADE,
        provider_id uuid REFERENCES providers (id) ON DELETE CASCADE,
        role text CONSTRAINT account_tokens_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin')),
        created_by uuid REFERENCES users (id),
        expires_at timestamptz NOT NULL,
        used_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT account_tokens_reset_has_user CHECK (purpose <> 'password_reset' OR user_id IS NOT NULL),
        CONSTRAINT account_tokens_invitation_has_role CHECK (purpose <> 'invitation' OR role IS NOT NULL)
      )`);

    // connect-pg-simple's table, as its documentation gives it.
    await q.query(`
      CREATE TABLE sessions (
        sid varchar NOT NULL PRIMARY KEY,
        sess json NOT NULL,
        expire timestamp(6) NOT NULL
      )`);
    await q.query(`CREATE INDEX sessions_expire_idx ON sessions (expire)`);

    // rate-limiter-flexible's table for RateLimiterPostgres.
    await q.query(`
      CREATE TABLE rate_limits (
        key varchar(255) PRIMARY KEY,
        points integer NOT NULL DEFAULT 0,
        expire bigint
      )`);

    // Mail is written here in the same transaction as the change it reports; a sender delivers it.
    await q.query(`
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        recipient text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      )`);
    await q.query(`CREATE INDEX outbox_unsent_idx ON outbox (id) WHERE sent_at IS NULL`);

    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
        kind text NOT NULL CONSTRAINT applications_kind_known CHECK (kind IN ('listing', 'renewal')),
        state text NOT NULL CONSTRAINT applications_state_known CHECK (state IN (
          'draft', 'submitted', 'in_review', 'changes_requested', 'approved', 'rejected', 'withdrawn')),
        code_of_conduct_version_id uuid REFERENCES code_of_conduct_versions (id) ON DELETE RESTRICT,
        code_signed_on date,
        signatory_name text,
        signatory_role text,
        aan_since date,
        aan_contact_name text,
        aan_contact_email text,
        submitted_at timestamptz,
        decided_at timestamptz,
        decided_by uuid REFERENCES users (id),
        reviewer_id uuid REFERENCES users (id),
        version integer NOT NULL DEFAULT 1,
        created_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT applications_complete_when_submitted CHECK (state IN ('draft', 'withdrawn') OR (
          code_of_conduct_version_id IS NOT NULL AND code_signed_on IS NOT NULL AND signatory_name IS NOT NULL
          AND signatory_role IS NOT NULL AND aan_since IS NOT NULL AND aan_contact_name IS NOT NULL
          AND submitted_at IS NOT NULL)),
        CONSTRAINT applications_decided CHECK (state NOT IN ('approved', 'rejected') OR (decided_at IS NOT NULL AND decided_by IS NOT NULL))
      )`);
    await q.query(`CREATE INDEX applications_provider_idx ON applications (provider_id, created_at)`);
    await q.query(`CREATE INDEX applications_queue_idx ON applications (state, submitted_at)`);
    // One open application per provider at a time.
    await q.query(`
      CREATE UNIQUE INDEX applications_one_open_per_provider ON applications (provider_id)
      WHERE state IN ('draft', 'submitted', 'in_review', 'changes_requested')`);

    await q.query(`
      CREATE TABLE application_messages (
        id bigserial PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES applications (id) ON DELETE RESTRICT,
        kind text NOT NULL CONSTRAINT application_messages_kind_known CHECK (kind IN (
          'submitted', 'review_started', 'changes_requested', 'approved', 'rejected', 'withdrawn')),
        body text,
        author_id uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX application_messages_application_idx ON application_messages (application_id, id)`,
    );

    await q.query(`
      CREATE TABLE evidence (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL REFERENCES applications (id) ON DELETE RESTRICT,
        kind text NOT NULL CONSTRAINT evidence_kind_known CHECK (kind IN ('code_of_conduct', 'aan_confirmation', 'other')),
        filename text NOT NULL,
        size integer NOT NULL CONSTRAINT evidence_size_limit CHECK (size > 0 AND size <= 10485760),
        sha256 char(64) NOT NULL CONSTRAINT evidence_sha256_format CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        content bytea NOT NULL,
        uploaded_by uuid NOT NULL REFERENCES users (id),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT evidence_is_pdf CHECK (substring(content from 1 for 5) = '\\x255044462d'::bytea),
        CONSTRAINT evidence_size_matches CHECK (octet_length(content) = size)
      )`);
    await q.query(`CREATE INDEX evidence_application_idx ON evidence (application_id, created_at)`);

    // Decisions in the status history point at the application behind them, and at who decided.
    await q.query(
      `ALTER TABLE status_events ADD COLUMN application_id uuid REFERENCES applications (id) ON DELETE RESTRICT`,
    );
    await q.query(
      `CREATE INDEX status_events_application_idx ON status_events (application_id) WHERE application_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE status_events DROP COLUMN application_id`);
    for (const table of [
      'evidence',
      'application_messages',
      'applications',
      'outbox',
      'rate_limits',
      'sessions',
      'account_tokens',
      'recovery_codes',
      'users',
    ]) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
