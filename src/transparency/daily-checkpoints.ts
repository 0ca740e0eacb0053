import type { DataSource } from 'typeorm';
import { streamQuery } from '../database/stream';
import { TIME_ZONE } from '../shared/time';

/** The latest checkpoint signed on one day (Dutch calendar), as open data publishes it. */
export interface DailyCheckpoint {
  /** The day, YYYY-MM-DD. */
  dag: string;
  boomgrootte: number;
  ondertekendOp: string;
  /** The signed note, verbatim. */
  checkpoint: string;
}

/**
 * The latest checkpoint of every day on which one was signed, oldest day first, from a cursor: the
 * history grows by one a day, forever, so it is streamed rather than held in memory.
 */
export function streamDailyCheckpoints(dataSource: DataSource) {
  return streamQuery(
    dataSource,
    `SELECT DISTINCT ON (day) day, tree_size::float8 AS "treeSize", signed_at AS "signedAt", note
       FROM (SELECT to_char(signed_at AT TIME ZONE $1, 'YYYY-MM-DD') AS day, id, tree_size, signed_at, note
               FROM log_checkpoints) c
      ORDER BY day, id DESC`,
    [TIME_ZONE],
    (row: { day: string; treeSize: number; signedAt: Date; note: string }): DailyCheckpoint => ({
      dag: row.day,
      boomgrootte: row.treeSize,
      ondertekendOp: row.signedAt.toISOString(),
      checkpoint: row.note,
    }),
  );
}
