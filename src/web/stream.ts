import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import type { Logger } from '../shared/logger';
import { flushEvery } from './http-cache';

/**
 * Sends streamed records to the client through `format`, with backpressure: a slow client slows
 * the database cursor. Once bytes are out, a failure can only end the connection. A compressed
 * answer is flushed every 64 KB, so it arrives as it is written.
 */
export async function sendStream(
  req: Request,
  res: Response,
  stream: { records: Readable; release: () => Promise<void> },
  format: Transform[],
): Promise<void> {
  try {
    await pipeline([stream.records, ...format, flushEvery(res), res] as [Readable, ...Transform[], Response]);
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
