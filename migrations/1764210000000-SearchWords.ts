import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Typo-tolerant name search by words: every word of a provider's names is kept in a dictionary of
 * distinct words with a trigram index. A search matches each of its words against that small
 * dictionary (not against every provider's text) and finds the providers through an index on
 * their words. Replaces the trigram indexes on the whole names, which made every search compute a
 * similarity for hundreds of providers.
 */
export class SearchWords1764210000000 implements MigrationInterface {
  name = 'SearchWords1764210000000';

  async up(q: QueryRunner): Promise<void> {
    // array_to_string is only STABLE; for text arrays it is safe to treat as IMMUTABLE.
    await q.query(`
      CREATE FUNCTION provider_search_words(legal_name text, trade_names text[]) RETURNS text[]
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT w ORDER BY w), '{}')
          FROM regexp_split_to_table(lower(legal_name || ' ' || array_to_string(trade_names, ' ')), '[^[:alnum:]]+') AS w
         WHERE length(w) >= 2
      $$`);
    await q.query(`
      ALTER TABLE providers ADD COLUMN search_words text[]
        GENERATED ALWAYS AS (provider_search_words(legal_name, trade_names)) STORED`);
    // fastupdate off: a search must not wade through a pending list after a bulk load; the
    // register's write rate is low enough to pay for updating the index at once.
    await q.query(
      `CREATE INDEX providers_search_words_idx ON providers USING gin (search_words) WITH (fastupdate = off)`,
    );

    await q.query(`CREATE TABLE search_words (word text PRIMARY KEY)`);
    await q.query(
      `CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops) WITH (fastupdate = off)`,
    );
    // Words are only ever added: a word no provider uses any more matches no provider.
    await q.query(`
      CREATE FUNCTION providers_collect_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO search_words (word) SELECT unnest(NEW.search_words) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`
      CREATE TRIGGER providers_search_words AFTER INSERT OR UPDATE OF legal_name, trade_names ON providers
      FOR EACH ROW EXECUTE FUNCTION providers_collect_search_words()`);
    await q.query(
      `INSERT INTO search_words (word) SELECT DISTINCT unnest(search_words) FROM providers ON CONFLICT DO NOTHING`,
    );

    await q.query(`DROP INDEX providers_trade_names_trgm`);
    await q.query(`DROP INDEX providers_legal_name_trgm`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX providers_legal_name_trgm ON providers USING gin (lower(legal_name) gin_trgm_ops)`,
    );
    await q.query(
      `CREATE INDEX providers_trade_names_trgm ON providers USING gin (trade_names_text(trade_names) gin_trgm_ops)`,
    );
    await q.query(`DROP TRIGGER providers_search_words ON providers`);
    await q.query(`DROP FUNCTION providers_collect_search_words()`);
    await q.query(`DROP TABLE search_words`);
    await q.query(`DROP INDEX providers_search_words_idx`);
    await q.query(`ALTER TABLE providers DROP COLUMN search_words`);
    await q.query(`DROP FUNCTION provider_search_words(text, text[])`);
  }
}
