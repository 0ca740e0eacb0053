import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 18: removing a watch list entry (or a list, which removes its entries) deletes what refers
 * to it by cascade: the notifications about it and the listing-end notices given for it. Without
 * an index on those references, each entry removed reads the whole of both tables, which only grow
 * (mailed notifications are kept); `npm run bench:watch` found emptying 12,000 entries with 17,600
 * notifications running past the statement timeout.
 */
export class WatchEntryIndexes1764717000000 implements MigrationInterface {
  name = 'WatchEntryIndexes1764717000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX watch_notifications_entry_idx ON watch_notifications (watch_list_entry_id)
         WHERE watch_list_entry_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX watch_events_entry_idx ON watch_events (watch_list_entry_id)
         WHERE watch_list_entry_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX watch_events_entry_idx`);
    await q.query(`DROP INDEX watch_notifications_entry_idx`);
  }
}
