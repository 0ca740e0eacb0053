import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Search on what people type. A web address finds its provider by the host of the website (kept in
 * a column of its own, without scheme, `www.`, port or path, with a b-tree index), instead of a
 * substring of the whole address that let `example` match every website. Name words may carry a
 * typo: fuzzystrmatch's edit distance decides which words the trigram index offers are close enough.
 */
export class WebsiteHostAndTypoDistance1764571000000 implements MigrationInterface {
  name = 'WebsiteHostAndTypoDistance1764571000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE EXTENSION IF NOT EXISTS fuzzystrmatch`);
    // The same reading as readHost in src/register/search.reading.ts, for the addresses the
    // registration form accepts (http or https with a host name).
    await q.query(`
      CREATE FUNCTION provider_website_host(website text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT nullif(regexp_replace(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
                 lower(website),
                 '^[a-z][a-z0-9+.-]*://', ''),
                 '[/?#].*$', ''),
                 '^[^@]*@', ''),
                 '(:[0-9]*)?\\.*$', ''),
                 '^www\\.', ''), '')
      $$`);
    await q.query(`
      ALTER TABLE providers ADD COLUMN website_host text
        GENERATED ALWAYS AS (provider_website_host(website)) STORED`);
    await q.query(`CREATE INDEX providers_website_host_idx ON providers (website_host)`);
    await q.query(`DROP INDEX providers_website_trgm`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX providers_website_trgm ON providers USING gin (lower(website) gin_trgm_ops)`);
    await q.query(`DROP INDEX providers_website_host_idx`);
    await q.query(`ALTER TABLE providers DROP COLUMN website_host`);
    await q.query(`DROP FUNCTION provider_website_host(text)`);
    await q.query(`DROP EXTENSION IF EXISTS fuzzystrmatch`);
  }
}
