import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import { CompactRange, EMPTY_ROOT, leafHash } from '../../monitor/lib/merkle';
import { openTimestampedNote } from '../../monitor/lib/cosignature';
import { parseVerifierKey } from '../../monitor/lib/note';
import { carriedOverEntryAgrees } from './legacy-leaf-entry';
import { leafEntry } from './leaf-entry';
import type { LeafLink, StoredCheckpoint } from './merkle.queries';

/** What can be wrong with the transparency log against the chain and the latest signed checkpoint. */
export type LogProblem =
  | 'log_shrank'
  | 'leaf_mismatch'
  | 'checkpoint_mismatch'
  | 'checkpoint_signature'
  /** The checkpoint the signer remembers signing last is not in log_checkpoints: checkpoints were removed. */
  | 'checkpoint_missing';

/**
 * Recomputes the leaves of the events it is shown, in chain order from chain position `start`:
 * each event must have leaf number = its position, its leaf content must be what the event makes
 * with its leaf's salt (`leafEntry`; a carried-over event's stored entry must agree with it, see
 * `carriedOverEntryAgrees`), and the hash of that content must be merkle_nodes level 0.
 * From position 0 on it also folds the recomputed leaves into a compact range, to give the root
 * of the first `size` leaves as the events (not the stored tree) make it, for each of `rootSizes`
 * (the sizes of the signed checkpoints).
 */
export class LeafWalk {
  position: number;
  private readonly range: CompactRange | undefined;
  private readonly wanted: Set<number>;
  private readonly largest: number;
  private readonly roots = new Map<number, Buffer>();
  private readonly events = new Map<number, string>();

  constructor(start: number, rootSizes: readonly number[]) {
    this.position = start;
    this.wanted = new Set(rootSizes);
    this.largest = rootSizes.reduce((a, b) => Math.max(a, b), 0);
    this.range = start === 0 && rootSizes.length > 0 ? new CompactRange() : undefined;
    if (this.range && this.wanted.has(0)) this.roots.set(0, EMPTY_ROOT);
  }

  /** Checks the next event; false when its leaf does not agree with it. */
  check(link: LeafLink): boolean {
    const position = this.position;
    if (link.leafIndex !== position || !link.leafHash || !link.salt) return false;
    if (link.entry !== null && !carriedOverEntryAgrees(link.entry, link, link.salt)) return false;
    const hash = leafHash(link.entry ?? leafEntry(link, link.salt));
    if (!hash.equals(link.leafHash)) return false;
    this.position += 1;
    this.reached(link.id, hash);
    return true;
  }

  /** Folds the leaf into the range; at a wanted size, notes its event and the recomputed root. */
  private reached(id: string, hash: Buffer): void {
    if (this.range && this.range.size < this.largest) this.range.append(hash);
    if (!this.wanted.has(this.position)) return;
    this.events.set(this.position, id);
    if (this.range?.size === this.position) this.roots.set(this.position, this.range.root());
  }

  /** The event of the last of the first `size` leaves, when walked past. */
  eventAt(size: number): string | undefined {
    return this.events.get(size);
  }

  /** The root of the first `size` recomputed leaves, when walked from the first event past them. */
  recomputedRoot(size: number): Buffer | undefined {
    return this.roots.get(size);
  }
}

/**
 * What is wrong with a stored checkpoint, in words, or undefined: its note must be signed by the
 * log key (`verifierKey`, whose name is the origin) and say what its row says (size and root, and
 * the signing time when the note carries the log's timestamped signature: a signed_at moved
 * forward would keep the signer from signing). A row changed behind its note, or a note the key
 * did not sign, is not a checkpoint.
 */
export function checkpointNoteProblem(checkpoint: StoredCheckpoint, verifierKey: string): string | undefined {
  const row = `checkpoint row ${checkpoint.id} (${checkpoint.treeSize} leaves, signed at ${checkpoint.signedAt.toISOString()})`;
  let text: string;
  let timestamp: number | undefined;
  try {
    ({ text, timestamp } = openTimestampedNote(checkpoint.note, verifierKey));
  } catch (error) {
    return `the note of ${row} is not signed by the log key (${(error as Error).message})`;
  }
  try {
    const parsed = parseCheckpoint(text);
    if (parsed.origin !== parseVerifierKey(verifierKey).name)
      return `the note of ${row} names origin "${parsed.origin}", not the log key's`;
    if (parsed.size !== checkpoint.treeSize)
      return `${row} says tree_size ${checkpoint.treeSize}, its signed note ${parsed.size}`;
    if (!parsed.root.equals(checkpoint.rootHash))
      return `${row} has a root_hash other than its signed note's`;
    if (timestamp !== undefined && Math.floor(checkpoint.signedAt.getTime() / 1000) !== timestamp)
      return `${row} says signed_at ${checkpoint.signedAt.toISOString()}, its signed note ${new Date(timestamp * 1000).toISOString()}`;
  } catch (error) {
    return `the note of ${row} is not a checkpoint (${(error as Error).message})`;
  }
  return undefined;
}

/** Whether the checkpoint's note is signed by the log key and says what its row says (`checkpointNoteProblem`). */
export function checkpointSignatureHolds(checkpoint: StoredCheckpoint, verifierKey: string): boolean {
  return checkpointNoteProblem(checkpoint, verifierKey) === undefined;
}
