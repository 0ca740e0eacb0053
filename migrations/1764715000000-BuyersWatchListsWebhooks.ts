import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18: buyers (inkopers) of government organisations, their watch lists of suppliers, what
 * they are told when a watched supplier's status changes (by mail and through webhooks), and the
 * API keys their organisations use.
 *
 * - `buyer_organisations`: one per e-mail domain (`minvenj.nl`); a buyer belongs to the
 *   organisation of their address's domain.
 * - `watch_lists` and `watch_list_entries`: a buyer's suppliers by KvK number, with their own
 *   reference and the contract's start and end.
 * - `watch_events`: what happened to a watched supplier (a status change, an attestation's
 *   change, a listing that ends before a contract does), written in the transaction of the change.
 * - `watch_notifications`: who is to be mailed about which event (at once, or in the day's digest).
 * - `webhook_subscriptions`, `webhook_deliveries` (one per event and subscription: its id is the
 *   `webhook-id` every retry repeats) and `webhook_attempts` (the delivery log).
 * - `api_keys`: per buyer organisation, only a hash is kept.
 */
export class BuyersWatchListsWebhooks1764715000000 implements MigrationInterface {
  name = 'BuyersWatchListsWebhooks1764715000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE buyer_organisations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        domain text NOT NULL CONSTRAINT buyer_organisations_domain_key UNIQUE
          CONSTRAINT buyer_organisations_domain_format
            CHECK (domain = lower(domain) AND domain ~ '^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$'),
        name text NOT NULL CONSTRAINT buyer_organisations_name_present CHECK (length(btrim(name)) > 0),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await q.query(`ALTER TABLE users DROP CONSTRAINT users_role_known`);
    await q.query(`
      ALTER TABLE users
        ADD COLUMN buyer_organisation_id uuid REFERENCES buyer_organisations (id) ON DELETE RESTRICT,
        ADD COLUMN watch_mail text NOT NULL DEFAULT 'at_once'
          CONSTRAINT users_watch_mail_known CHECK (watch_mail IN ('at_once', 'daily', 'none')),
        ADD CONSTRAINT users_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer')),
        ADD CONSTRAINT users_buyer_organisation CHECK ((role = 'buyer') = (buyer_organisation_id IS NOT NULL)),
        ADD CONSTRAINT users_buyer_no_provider CHECK (role <> 'buyer' OR provider_id IS NULL)`);
    await q.query(`CREATE INDEX users_buyer_organisation_idx ON users (buyer_organisation_id)`);
    await q.query(`
      ALTER TABLE account_tokens
        DROP CONSTRAINT account_tokens_role_known,
        ADD CONSTRAINT account_tokens_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin', 'buyer'))`);

    await q.query(`
      CREATE TABLE watch_lists (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        buyer_organisation_id uuid NOT NULL REFERENCES buyer_organisations (id) ON DELETE RESTRICT,
        owner_id uuid NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
        name text NOT NULL CONSTRAINT watch_lists_name_present CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX watch_lists_organisation_idx ON watch_lists (buyer_organisation_id)`);
    await q.query(`CREATE INDEX watch_lists_owner_idx ON watch_lists (owner_id)`);

    await q.query(`
      CREATE TABLE watch_list_entries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        watch_list_id uuid NOT NULL REFERENCES watch_lists (id) ON DELETE CASCADE,
        kvk_number char(8) NOT NULL CONSTRAINT watch_list_entries_kvk_format CHECK (kvk_number ~ '^[0-9]{8}$'),
        reference text NOT NULL DEFAULT '' CONSTRAINT watch_list_entries_reference_length CHECK (length(reference) <= 200),
        contract_start date,
        contract_end date,
        -- The listing end (valid until) a "listing ends before the contract" notice was given for: once per end.
        listing_end_warned_for timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT watch_list_entries_contract_order
          CHECK (contract_start IS NULL OR contract_end IS NULL OR contract_end >= contract_start),
        CONSTRAINT watch_list_entries_unique UNIQUE (watch_list_id, kvk_number, reference)
      )`);
    await q.query(`CREATE INDEX watch_list_entries_kvk_idx ON watch_list_entries (kvk_number)`);

    await q.query(`
      CREATE TABLE watch_events (
        id bigserial PRIMARY KEY,
        kind text NOT NULL CONSTRAINT watch_events_kind_known
          CHECK (kind IN ('status_changed', 'attestation_changed', 'listing_ends_before_contract')),
        provider_id uuid NOT NULL REFERENCES providers (id) ON DELETE RESTRICT,
        kvk_number char(8) NOT NULL,
        -- Set for a notice about one entry (a listing that ends before its contract does): only its list is told.
        watch_list_entry_id uuid REFERENCES watch_list_entries (id) ON DELETE CASCADE,
        occurred_at timestamptz NOT NULL,
        recorded_at timestamptz NOT NULL DEFAULT now(),
        data jsonb NOT NULL DEFAULT '{}'::jsonb
      )`);
    await q.query(`CREATE INDEX watch_events_provider_idx ON watch_events (provider_id, id)`);

    await q.query(`
      CREATE TABLE watch_notifications (
        id bigserial PRIMARY KEY,
        watch_event_id bigint NOT NULL REFERENCES watch_events (id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        watch_list_entry_id uuid REFERENCES watch_list_entries (id) ON DELETE CASCADE,
        mode text NOT NULL CONSTRAINT watch_notifications_mode_known CHECK (mode IN ('at_once', 'daily')),
        created_at timestamptz NOT NULL DEFAULT now(),
        mailed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX watch_notifications_unmailed_idx ON watch_notifications (mode, user_id, id) WHERE mailed_at IS NULL`,
    );
    await q.query(`CREATE INDEX watch_notifications_user_idx ON watch_notifications (user_id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        buyer_organisation_id uuid NOT NULL REFERENCES buyer_organisations (id) ON DELETE RESTRICT,
        name text NOT NULL CONSTRAINT api_keys_name_present CHECK (length(btrim(name)) BETWEEN 1 AND 200),
        -- The key's public part, shown in lists and logs; the secret part is kept only as a hash.
        prefix text NOT NULL CONSTRAINT api_keys_prefix_key UNIQUE,
        key_hash text NOT NULL,
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_used_at timestamptz,
        revoked_at timestamptz,
        revoked_by uuid REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX api_keys_organisation_idx ON api_keys (buyer_organisation_id)`);

    await q.query(`
      CREATE TABLE webhook_subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        buyer_organisation_id uuid NOT NULL REFERENCES buyer_organisations (id) ON DELETE RESTRICT,
        -- Null: every watch list of the organisation.
        watch_list_id uuid REFERENCES watch_lists (id) ON DELETE CASCADE,
        url text NOT NULL CONSTRAINT webhook_subscriptions_url_length CHECK (length(url) BETWEEN 8 AND 2000),
        -- Encrypted with the secrets key (v1:…): it signs every delivery, so it must be readable.
        secret text NOT NULL,
        description text NOT NULL DEFAULT '' CONSTRAINT webhook_subscriptions_description_length CHECK (length(description) <= 200),
        created_by uuid REFERENCES users (id) ON DELETE SET NULL,
        created_with_api_key uuid REFERENCES api_keys (id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        consecutive_failures integer NOT NULL DEFAULT 0,
        disabled_at timestamptz,
        disabled_reason text
      )`);
    await q.query(
      `CREATE INDEX webhook_subscriptions_organisation_idx ON webhook_subscriptions (buyer_organisation_id)`,
    );

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        subscription_id uuid NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
        watch_event_id bigint NOT NULL REFERENCES watch_events (id) ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        delivered_at timestamptz,
        given_up_at timestamptz,
        last_status integer,
        last_error text,
        CONSTRAINT webhook_deliveries_once UNIQUE (subscription_id, watch_event_id)
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at)
         WHERE delivered_at IS NULL AND given_up_at IS NULL`,
    );
    await q.query(`CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (watch_event_id)`);

    await q.query(`
      CREATE TABLE webhook_attempts (
        id bigserial PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL,
        duration_ms integer NOT NULL,
        status_code integer,
        error text
      )`);
    await q.query(`CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_attempts`);
    await q.query(`DROP TABLE webhook_deliveries`);
    await q.query(`DROP TABLE webhook_subscriptions`);
    await q.query(`DROP TABLE api_keys`);
    await q.query(`DROP TABLE watch_notifications`);
    await q.query(`DROP TABLE watch_events`);
    await q.query(`DROP TABLE watch_list_entries`);
    await q.query(`DROP TABLE watch_lists`);
    await q.query(`DELETE FROM account_tokens WHERE role = 'buyer'`);
    await q.query(`
      ALTER TABLE account_tokens
        DROP CONSTRAINT account_tokens_role_known,
        ADD CONSTRAINT account_tokens_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin'))`);
    await q.query(`DELETE FROM users WHERE role = 'buyer'`);
    await q.query(`DROP INDEX users_buyer_organisation_idx`);
    await q.query(`
      ALTER TABLE users
        DROP CONSTRAINT users_buyer_no_provider,
        DROP CONSTRAINT users_buyer_organisation,
        DROP CONSTRAINT users_role_known,
        DROP COLUMN watch_mail,
        DROP COLUMN buyer_organisation_id,
        ADD CONSTRAINT users_role_known CHECK (role IN ('provider', 'reviewer', 'auditor', 'admin'))`);
    await q.query(`DROP TABLE buyer_organisations`);
  }
}
