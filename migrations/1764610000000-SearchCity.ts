import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The place (`providers.city`) is searchable: a buyer often knows a supplier by name and place
 * (`Polderwolk Hosting BV, Zwolle`), or looks for the providers in one place (`Zwolle`). The words
 * of the place are kept in a column of their own with a GIN index, beside the name words, so that a
 * search can weigh them apart (a place word counts for less than any name match); they join the
 * dictionary of distinct words, so a place may carry a typo like a name word.
 */
export class SearchCity1764610000000 implements MigrationInterface {
  name = 'SearchCity1764610000000';

  async up(q: QueryRunner): Promise<void> {
    // The same words as a name's: lower case, split on everything but letters and digits, two or more characters.
    await q.query(`
      ALTER TABLE providers ADD COLUMN city_words text[]
        GENERATED ALWAYS AS (provider_search_words(city, '{}'::text[])) STORED`);
    await q.query(
      `CREATE INDEX providers_city_words_idx ON providers USING gin (city_words) WITH (fastupdate = off)`,
    );
    await q.query(`
      CREATE OR REPLACE FUNCTION providers_collect_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO search_words (word) SELECT unnest(NEW.search_words || NEW.city_words) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`DROP TRIGGER providers_search_words ON providers`);
    await q.query(`
      CREATE TRIGGER providers_search_words AFTER INSERT OR UPDATE OF legal_name, trade_names, city ON providers
      FOR EACH ROW EXECUTE FUNCTION providers_collect_search_words()`);
    await q.query(
      `INSERT INTO search_words (word) SELECT DISTINCT unnest(city_words) FROM providers ON CONFLICT DO NOTHING`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER providers_search_words ON providers`);
    await q.query(`
      CREATE TRIGGER providers_search_words AFTER INSERT OR UPDATE OF legal_name, trade_names ON providers
      FOR EACH ROW EXECUTE FUNCTION providers_collect_search_words()`);
    await q.query(`
      CREATE OR REPLACE FUNCTION providers_collect_search_words() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO search_words (word) SELECT unnest(NEW.search_words) ON CONFLICT DO NOTHING;
        RETURN NULL;
      END $$`);
    await q.query(`DROP INDEX providers_city_words_idx`);
    await q.query(`ALTER TABLE providers DROP COLUMN city_words`);
  }
}
