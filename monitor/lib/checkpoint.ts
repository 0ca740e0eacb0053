/** Checkpoints (C2SP tlog-checkpoint): the note text "<origin>\n<size>\n<base64 root>\n" and any extension lines. */
import { decodeBase64, decodeDecimal, isCount } from './encoding';

export interface Checkpoint {
  origin: string;
  size: number;
  root: Buffer;
  extensions: string[];
}

/** Thrown when a checkpoint's text is malformed; the message says what is wrong. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** The note text of a checkpoint (to be signed with signNote). */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.origin.length === 0 || c.origin.includes('\n'))
    throw new CheckpointError('the origin must be one non-empty line');
  if (!isCount(c.size)) throw new CheckpointError(`the size must be a whole number from 0, not ${c.size}`);
  if (c.root.length !== 32) throw new CheckpointError(`the root hash is 32 bytes, not ${c.root.length}`);
  for (const line of c.extensions) {
    if (line.length === 0 || line.includes('\n'))
      throw new CheckpointError('an extension must be one non-empty line');
  }
  return [c.origin, String(c.size), c.root.toString('base64'), ...c.extensions]
    .map((line) => `${line}\n`)
    .join('');
}

/** Reads a checkpoint's note text (the text openNote returns); throws CheckpointError on anything malformed. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('a checkpoint ends in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3)
    throw new CheckpointError('a checkpoint has at least three lines: origin, size, root hash');
  const [origin, sizeLine, rootLine, ...extensions] = lines as [string, string, string, ...string[]];
  if (lines.some((line) => line.length === 0)) throw new CheckpointError('a checkpoint has no empty lines');
  const size = decodeDecimal(sizeLine);
  if (size === undefined) {
    throw new CheckpointError(
      `the tree size is not a decimal number without leading zeros: ${JSON.stringify(sizeLine)}`,
    );
  }
  const root = decodeBase64(rootLine);
  if (root === undefined) throw new CheckpointError('the root hash is not base64');
  if (root.length !== 32) throw new CheckpointError(`the root hash is ${root.length} bytes, not 32`);
  return { origin, size, root, extensions };
}
