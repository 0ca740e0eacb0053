import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Logger } from '../shared/logger';

/**
 * Sends streamed records to the client through `format`, with backpressure: a slow client slows
 * the database cursor. Once bytes are out, a failure can only end the connection. A compressed
 * answer streams too: the compressor passes on each 16 KB it has made (no forced flushes, which
 * cost more than they gave: a 2 MB download took three times as long).
 */
export async function sendStream(
  req: Request,
  res: Response,
  stream: { records: Readable; release: () => Promise<void> },
  format: Transform[],
): Promise<void> {
  try {
    await pipeline([stream.records, ...format, res] as [Readable, ...Transform[], Response]);
  } catch (error) {
    if (!res.headersSent) throw error;
    (req as Request & { log?: Logger }).log?.warn({ err: error }, 'download ended early');
    res.destroy();
  } finally {
    await stream.release();
  }
}

/** A JSON Lines body: one JSON value a line. */
export const jsonLines = () =>
  new Transform({
    writableObjectMode: true,
    transform(record: unknown, _encoding, done) {
      done(null, `${JSON.stringify(record)}\n`);
    },
  });
