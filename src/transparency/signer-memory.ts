import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';

/** The checkpoint the signer last signed (or adopted), as it remembers it outside the database. */
export interface RememberedCheckpoint {
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  signedAt: Date;
  /** The whole signed note, verbatim. */
  note: string;
}

/** The file's identity and version (inode, modification time, size), or undefined when it cannot be stat'ed. */
function fileStamp(file: string): string | undefined {
  try {
    const { ino, mtimeMs, size } = statSync(file);
    return `${ino}:${mtimeMs}:${size}`;
  } catch {
    return undefined;
  }
}

/** Reads the state file: undefined when there is none; throws, naming the file, when it is not one. */
function readStateFile(file: string): RememberedCheckpoint | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`the signer's state file ${file} cannot be read (${(error as Error).message})`, {
      cause: error,
    });
  }
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    const { origin, treeSize, rootHash, signedAt, note } = parsed;
    const signed = new Date(typeof signedAt === 'string' ? signedAt : Number.NaN);
    if (
      typeof origin !== 'string' ||
      typeof treeSize !== 'number' ||
      !Number.isSafeInteger(treeSize) ||
      treeSize < 0 ||
      typeof rootHash !== 'string' ||
      !/^[0-9a-f]{64}$/.test(rootHash) ||
      Number.isNaN(signed.getTime()) ||
      typeof note !== 'string'
    )
      throw new Error('origin, treeSize, rootHash (64 hex digits), signedAt or note is missing or wrong');
    return { origin, treeSize, rootHash: Buffer.from(rootHash, 'hex'), signedAt: signed, note };
  } catch (error) {
    throw new Error(
      `the signer's state file ${file} is not what the signer writes (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** Writes `text` to `file` atomically: a temporary file beside it, flushed to disk, renamed over it. */
function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = openSync(temporary, 'w', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  // The rename itself is on disk only once the folder is.
  const folder = openSync(path.dirname(file), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

/**
 * What the checkpoint signer last signed, kept OUTSIDE the database (LOG_SIGNER_STATE_FILE): the
 * database's own record of it (log_checkpoints) is in the hands of whoever controls the database,
 * who could remove or rewrite it and have the log key sign a rewritten history. Read at start and
 * kept in memory; the file is read again before each signing, because several instances may share
 * it (it holds the latest any of them signed), and the later of the two counts.
 */
export class SignerMemory {
  private remembered: RememberedCheckpoint | undefined;
  /** The state file as last read (fileStamp): unchanged, it is not read again. */
  private stamp: string | undefined;
  private refusal: { at: Date; reason: string } | undefined;

  /** Reads the file (throws when it is there but unreadable); `warn` hears of an adoption. */
  constructor(
    readonly file: string,
    private readonly warn: (message: string) => void,
  ) {
    this.remembered = readStateFile(file);
  }

  /** The latest checkpoint signed, as this instance or the file remembers it (throws when the file is unreadable). */
  recall(): RememberedCheckpoint | undefined {
    // Every tile and checkpoint request asks: the file is read again only when it changed (it is
    // replaced by a rename, so its inode, time or size differ), not parsed on every request.
    const stamp = fileStamp(this.file);
    if (stamp !== undefined && stamp === this.stamp) return this.remembered;
    const stored = readStateFile(this.file);
    this.stamp = stamp;
    if (stored && (!this.remembered || stored.treeSize > this.remembered.treeSize)) this.remembered = stored;
    return this.remembered;
  }

  /**
   * The last signing attempt's refusal, in this process: when it was refused and why (the reason
   * is for the server's log, not for the public). Undefined when the last attempt was not refused.
   */
  lastRefusal(): { at: Date; reason: string } | undefined {
    return this.refusal;
  }

  /** Notes how the last signing attempt ended: refused (at `at`, for `reason`), or not (`undefined`). */
  attempted(refusal: { at: Date; reason: string } | undefined): void {
    this.refusal = refusal;
  }

  /** Remembers a checkpoint just signed and committed: in memory, then in the file (unless it holds a later one). */
  remember(checkpoint: RememberedCheckpoint): void {
    this.remembered = checkpoint;
    let stored: RememberedCheckpoint | undefined;
    try {
      stored = readStateFile(this.file);
    } catch {
      stored = undefined; // an unreadable file is replaced by what was signed
    }
    if (stored && stored.treeSize > checkpoint.treeSize) return;
    writeAtomically(
      this.file,
      `${JSON.stringify(
        {
          origin: checkpoint.origin,
          treeSize: checkpoint.treeSize,
          rootHash: checkpoint.rootHash.toString('hex'),
          signedAt: checkpoint.signedAt.toISOString(),
          note: checkpoint.note,
        },
        null,
        2,
      )}\n`,
    );
  }

  /**
   * Takes a checkpoint the database holds, whose note the log key signed, as the last one signed:
   * for the first start with no file (after the file was introduced, or with a new DATA_DIR).
   */
  adopt(checkpoint: RememberedCheckpoint & { id: string }): void {
    this.warn(
      `the checkpoint signer's state file ${this.file} was missing: it adopts the database's latest checkpoint (row ${checkpoint.id}, ${checkpoint.treeSize} leaves, signed at ${checkpoint.signedAt.toISOString()}), whose note the log key signed, as the last one it signed`,
    );
    const { origin, treeSize, rootHash, signedAt, note } = checkpoint;
    this.remember({ origin, treeSize, rootHash, signedAt, note });
  }
}

/**
 * What the signer remembers (`memory`, or the state file `memory` names, read as the signer reads
 * it), or, when the file cannot be read, why: for a check that goes on without it and says so.
 */
export function recallSafely(memory: SignerMemory | string): {
  remembered?: RememberedCheckpoint;
  unreadable?: string;
} {
  try {
    const remembered = typeof memory === 'string' ? readStateFile(memory) : memory.recall();
    return remembered ? { remembered } : {};
  } catch (error) {
    return { unreadable: (error as Error).message };
  }
}
