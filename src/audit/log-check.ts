import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import { CompactRange, EMPTY_ROOT, leafHash } from '../../monitor/lib/merkle';
import { openNote, parseVerifierKey } from '../../monitor/lib/note';
import { canonicalJson } from './audit-chain';
import { carriedOverEntryAgrees } from './legacy-leaf-entry';
import type { LeafLink, StoredCheckpoint } from './merkle.queries';

/** What can be wrong with the transparency log against the chain and the latest signed checkpoint. */
export type LogProblem = 'log_shrank' | 'leaf_mismatch' | 'checkpoint_mismatch' | 'checkpoint_signature';

/** The leaf content of an event: the stored entry of a carried-over event, else its canonical JSON. */
export function leafEntryOf(link: LeafLink): string {
  return link.entry ?? canonicalJson(link);
}

/**
 * Recomputes the leaves of the events it is shown, in chain order from chain position `start`:
 * each event must have leaf number = its position, its stored content (a carried-over event's)
 * must be what `legacyLeafEntry` makes of it, and its leaf hash must be merkle_nodes level 0.
 * From position 0 on it also folds the recomputed leaves into a compact range, to give the root
 * of the first `rootSize` leaves as the events (not the stored tree) make it.
 */
export class LeafWalk {
  position: number;
  /** The event at chain position rootSize - 1, once walked past. */
  eventAtRoot: string | undefined;
  private readonly range: CompactRange | undefined;
  private root: Buffer | undefined;

  constructor(
    start: number,
    private readonly rootSize: number | undefined,
  ) {
    this.position = start;
    this.range = start === 0 && rootSize !== undefined ? new CompactRange() : undefined;
    if (this.range && rootSize === 0) this.root = EMPTY_ROOT;
  }

  /** Checks the next event; false when its leaf does not agree with it. */
  check(link: LeafLink): boolean {
    const position = this.position;
    if (link.leafIndex !== position || !link.leafHash) return false;
    if (link.entry !== null && !carriedOverEntryAgrees(link.entry, link)) return false;
    const hash = leafHash(leafEntryOf(link));
    if (!hash.equals(link.leafHash)) return false;
    this.position += 1;
    if (this.rootSize !== undefined && position === this.rootSize - 1) this.eventAtRoot = link.id;
    if (this.range && this.range.size < (this.rootSize ?? 0)) {
      this.range.append(hash);
      if (this.range.size === this.rootSize) this.root = this.range.root();
    }
    return true;
  }

  /** The root of the first rootSize recomputed leaves, when walked from the first event past them. */
  recomputedRoot(): Buffer | undefined {
    return this.root;
  }
}

/**
 * What is wrong with a stored checkpoint, in words, or undefined: its note must be signed by the
 * log key (`verifierKey`, whose name is the origin) and say what its row says (size and root). A
 * row changed behind its note, or a note the key did not sign, is not a checkpoint.
 */
export function checkpointNoteProblem(checkpoint: StoredCheckpoint, verifierKey: string): string | undefined {
  const row = `checkpoint row ${checkpoint.id} (${checkpoint.treeSize} leaves, signed at ${checkpoint.signedAt.toISOString()})`;
  let text: string;
  try {
    text = openNote(checkpoint.note, [verifierKey]).text;
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
  } catch (error) {
    return `the note of ${row} is not a checkpoint (${(error as Error).message})`;
  }
  return undefined;
}

/** Whether the checkpoint's note is signed by the log key and says what its row says (`checkpointNoteProblem`). */
export function checkpointSignatureHolds(checkpoint: StoredCheckpoint, verifierKey: string): boolean {
  return checkpointNoteProblem(checkpoint, verifierKey) === undefined;
}
