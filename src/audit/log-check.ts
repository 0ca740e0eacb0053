import { parseCheckpoint } from '../../monitor/lib/checkpoint';
import { CompactRange, EMPTY_ROOT, leafHash } from '../../monitor/lib/merkle';
import { openNote, parseVerifierKey } from '../../monitor/lib/note';
import { carriedOverEntryAgrees } from './legacy-leaf-entry';
import { leafEntry } from './leaf-entry';
import type { LeafLink, StoredCheckpoint } from './merkle.queries';

/** What can be wrong with the transparency log against the chain and the latest signed checkpoint. */
export type LogProblem = 'log_shrank' | 'leaf_mismatch' | 'checkpoint_mismatch' | 'checkpoint_signature';

/**
 * Recomputes the leaves of the events it is shown, in chain order from chain position `start`:
 * each event must have leaf number = its position, its leaf content must be what the event makes
 * with its leaf's salt (`leafEntry`; a carried-over event's stored entry must agree with it, see
 * `carriedOverEntryAgrees`), and the hash of that content must be merkle_nodes level 0.
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
    if (link.leafIndex !== position || !link.leafHash || !link.salt) return false;
    if (link.entry !== null && !carriedOverEntryAgrees(link.entry, link, link.salt)) return false;
    const hash = leafHash(link.entry ?? leafEntry(link, link.salt));
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
 * Whether the checkpoint's note is signed by the log key and says what its row says (size and
 * root): a row changed behind the note, or a note not signed by the key, is not a checkpoint.
 */
export function checkpointSignatureHolds(checkpoint: StoredCheckpoint, verifierKey: string): boolean {
  try {
    const { text } = openNote(checkpoint.note, [verifierKey]);
    const parsed = parseCheckpoint(text);
    return (
      parsed.origin === parseVerifierKey(verifierKey).name &&
      parsed.size === checkpoint.treeSize &&
      parsed.root.equals(checkpoint.rootHash)
    );
  } catch {
    return false;
  }
}
