import type { DataSource, EntityManager, QueryDeepPartialEntity } from 'typeorm';
import { AuditEvent } from './audit-event.entity';
import { chainHash, checkLinks, GENESIS_HASH } from './audit-chain';
import type { ChainProblem } from './chain-problems';
import { type LoggedCounts, reconcileFully, reconcileSince, type RegisterMismatch } from './reconciliation';
import { CONFIDENTIAL_LEAF_FIELD, leafEntry, writesConfidentialLeaf } from './leaf-entry';
import { CompactRange, leafHash } from '../../monitor/lib/merkle';
import {
  checkpointsBySize,
  eventOfLeaf,
  holdsCheckpoint,
  eventsWithLeavesAfter,
  insertMerkleLeaves,
  insertMerkleNodes,
  latestCheckpoint,
  readMerkleNodes,
  storedRootAt,
  type StoredCheckpoint,
  storedTreeSize,
} from './merkle.queries';
import { checkpointSignatureHolds, LeafWalk } from './log-check';
import { must } from '../shared/must';
import { isEmailActor } from './actor';
import { newSalt, PERSONAL_DATA_FIELD, PERSONAL_KEYS, personalDataDigest } from './personal-data';
import {
  disagreeingAuditVerification,
  insertAuditBreak,
  insertAuditVerification,
  lastAuditHash,
  latestAuditVerification,
  insertPersonalData,
  lockAuditChain,
  type RecordedBreak,
  reserveAuditEventIds,
  standingAuditBreak,
  type VerificationAnchor,
} from './audit.queries';

/** The translation key of an audit action's name in words: `audit.actions.status.suspended`. */
export const actionLabelKey = (action: string) => `audit.actions.${action}`;

export interface AuditEntry {
  /** A person as `<role>:<user id>` (see actor.ts), or a system's name: never an e-mail address. */
  actor: string;
  action: string;
  subjectType: string;
  /** Never an e-mail address: a user, invitation or other id. */
  subjectId: string;
  /**
   * What happened. Its leaf in the public log shows only the fields `PUBLIC_DATA_FIELDS` names
   * (leaf-entry.ts), the rest behind a salted digest; still never `email` or `ip`: those go in `personal`.
   */
  data?: Record<string, unknown>;
  /**
   * Personal details an auditor needs (an IP address, the address an invitation went to): kept
   * beside the log in `audit_personal_data`, erasable; the event's data carries only their salted digest.
   */
  personal?: Record<string, unknown>;
  /** When it happened, if not `now`: bulk seeding appends a history made at many moments at once. */
  occurredAt?: Date;
}

/**
 * Appends one event to the audit log inside the caller's transaction, so that it commits or
 * fails together with the change it records. Appends wait for each other on a transaction-scoped
 * lock until the earlier transaction ends.
 */
export async function appendAuditEvent(
  manager: EntityManager,
  now: Date,
  entry: AuditEntry,
): Promise<AuditEvent> {
  const [event] = await appendAuditEvents(manager, now, [entry]);
  if (!event) throw new Error('appendAuditEvents answered no event');
  return event;
}

/** Refuses an entry that would put an e-mail address or IP address in the public log: a bug in the caller. */
function refusePersonalData(entry: AuditEntry): void {
  const problem = isEmailActor(entry.actor)
    ? 'its actor is an e-mail address'
    : isEmailActor(entry.subjectId)
      ? 'its subject is an e-mail address'
      : PERSONAL_KEYS.some((k) => entry.data && k in entry.data)
        ? `its data has personal details (${PERSONAL_KEYS.join(', ')}): put them in \`personal\``
        : entry.data && PERSONAL_DATA_FIELD in entry.data
          ? `its data sets ${PERSONAL_DATA_FIELD} itself`
          : undefined;
  if (problem) throw new Error(`audit event ${entry.action} refused: ${problem}`);
}

/** What can be wrong: a link of the chain, the log against an earlier verification or a checkpoint, a live table against the log. */
export type { ChainProblem };

/** A signed checkpoint of the transparency log, as a verification names it. */
export interface CheckpointSeen {
  treeSize: number;
  signedAt: Date;
}

/** A checkpoint of the transparency log a break names, and which one it is. */
export interface CheckpointBroken extends CheckpointSeen {
  /** Whether it is the latest checkpoint checked (the largest of the database's and the signer's memory). */
  latest: boolean;
  /** Whether it is the one the signer remembers signing last (outside the database). */
  remembered: boolean;
}

/** The checkpoint the signer last signed, as it remembers it outside the database (LOG_SIGNER_STATE_FILE). */
export interface SignerRemembers {
  treeSize: number;
  rootHash: Buffer;
  signedAt: Date;
  /** The whole signed note, verbatim. */
  note: string;
}

export interface ChainBreak {
  /** The event concerned: the first broken link, or the event an earlier verification vouched for. */
  id: string;
  problem: ChainProblem;
  /** The earlier verification the log disagrees with (anchor_*), or continued from (content_mismatch of its event). */
  anchor?: VerificationAnchor;
  /** The signed checkpoint the log disagrees with (log_shrank, checkpoint_*). */
  checkpoint?: CheckpointBroken;
  /** The live table's row that disagrees with the log (status_event_*, attestation_*). */
  register?: RegisterMismatch;
}

export interface ChainVerification {
  /** `full`: every event from the first; `incremental`: the events after an earlier verification's. */
  mode: 'full' | 'incremental';
  /** Events whose hash this run recomputed (incremental: the anchor event and every one after it). */
  checked: number;
  broken?: ChainBreak;
  /** The newest event, when the chain is intact: the hash that stands for the whole log. */
  head?: { id: string; hash: string; occurredAt: Date };
  /** When intact: how many events the log holds up to and including the head. */
  eventCount?: number;
  /** The earlier verification an incremental run continued from. */
  anchor?: VerificationAnchor;
  /**
   * The break an earlier verification found and recorded, which no intact full run has cleared
   * since: an incremental run answers it (`broken`) without checking anything.
   */
  recorded?: RecordedBreak;
  /**
   * When intact: the latest signed checkpoint of the transparency log, which the log agrees with:
   * the newer of the database's latest and the one the signer remembers.
   */
  checkpoint?: CheckpointSeen;
  /** When intact: the status events and attestations the log records up to the head, each a row of its table. */
  counts?: LoggedCounts;
}

/** A live table disagreeing with the log, as a break at the event concerned. */
const registerBreak = (mismatch: RegisterMismatch): ChainBreak => ({
  id: mismatch.eventId,
  problem: mismatch.problem,
  register: mismatch,
});

/** What a verification checks the transparency log against, besides the chain. */
export interface LogCheckOptions {
  /** Events read per query. */
  batchSize?: number;
  /**
   * The log key's verifier key: the latest checkpoint's signature must verify with it. Without it
   * the leaves and the root are still checked, the signature not.
   */
  verifierKey?: string;
  /**
   * What the signer remembers signing last, outside the database (none on a fresh install): its
   * note must verify, the log must hold its size and have its root there, and log_checkpoints must
   * hold it (else `checkpoint_missing`): whoever controls the database cannot remove it.
   */
  remembered?: SignerRemembers;
}

/** The id the signer's remembered checkpoint goes by among the database's rows. */
const REMEMBERED_ID = 'signer-memory';

/**
 * The checkpoints to check the log against: the database's (in order of size) and, when
 * log_checkpoints does not hold it, the one the signer remembers, in its place by size.
 */
async function withRemembered(
  dataSource: DataSource,
  checkpoints: StoredCheckpoint[],
  remembered: SignerRemembers | undefined,
): Promise<{ checkpoints: StoredCheckpoint[]; missing?: StoredCheckpoint }> {
  if (!remembered || (await holdsCheckpoint(dataSource.manager, remembered))) return { checkpoints };
  const row: StoredCheckpoint = { id: REMEMBERED_ID, ...remembered };
  const at = checkpoints.findIndex((c) => c.treeSize > remembered.treeSize);
  const merged =
    at < 0 ? [...checkpoints, row] : [...checkpoints.slice(0, at), row, ...checkpoints.slice(at)];
  return { checkpoints: merged, missing: row };
}

/** The newer (by size) of the database's latest checkpoint and the signer's remembered one, as a verification names it. */
function newestSeen(
  latest: StoredCheckpoint | undefined,
  remembered: SignerRemembers | undefined,
): CheckpointSeen | undefined {
  const newest = remembered && (!latest || remembered.treeSize > latest.treeSize) ? remembered : latest;
  return newest && { treeSize: newest.treeSize, signedAt: newest.signedAt };
}

/** Events read per query. Memory holds two batches (one checked while the next is read), however long the log. */
const BATCH_SIZE = 2000;

/**
 * Walks the chain from the event after `after`, which must link to `prev`, to the newest event: one
 * primary-key range per batch, the next batch read while this one is hashed.
 */
async function walkChain(
  dataSource: DataSource,
  after: string,
  prev: string,
  batchSize: number,
  leaves: LeafWalk,
): Promise<Pick<ChainVerification, 'checked' | 'broken' | 'head'>> {
  let checked = 0;
  let head: ChainVerification['head'];
  // A read ahead that fails while a batch is checked is awaited (and thrown) on the next turn, or
  // not at all when the walk stops at a break: never an unhandled rejection.
  const readAfter = (id: string) => {
    const read = eventsWithLeavesAfter(dataSource.manager, id, batchSize);
    read.catch(() => undefined);
    return read;
  };
  let next = readAfter(after);
  for (;;) {
    const batch = await next;
    const last = batch.at(-1);
    if (!last) return { checked, head };
    next = batch.length === batchSize ? readAfter(last.id) : Promise.resolve([]);
    const result = checkLinks(batch, prev);
    if (result.broken) {
      return {
        checked: checked + batch.findIndex((e) => e.id === result.broken.id) + 1,
        broken: result.broken,
      };
    }
    // Each event's leaf must be the one the event makes, at its place in the chain.
    const mismatch = batch.findIndex((link) => !leaves.check(link));
    if (mismatch >= 0) {
      const link = must(batch[mismatch], 'findIndex answered an index of the batch');
      return { checked: checked + mismatch + 1, broken: { id: link.id, problem: 'leaf_mismatch' } };
    }
    checked += batch.length;
    prev = result.lastHash;
    head = { id: last.id, hash: last.hash, occurredAt: last.occurredAt };
  }
}

/** The oldest earlier verification the log no longer agrees with, as a break; undefined when all agree. */
async function anchorBreak(dataSource: DataSource): Promise<ChainBreak | undefined> {
  const disagreeing = await disagreeingAuditVerification(dataSource.manager);
  if (!disagreeing) return undefined;
  const { missing, ...anchor } = disagreeing;
  return { id: anchor.headId, problem: missing ? 'anchor_missing' : 'anchor_mismatch', anchor };
}

/**
 * The log against every signed checkpoint given (in order of size), after the walk: each one's note
 * must be signed by the log key (when given) and say what its row says; the log must hold at least
 * as many events as the latest leaves; and the root at each one's size (recomputed from the events
 * when the walk began at the first event, else as merkle_nodes holds it) must be its root. The
 * first checkpoint (by size) that fails is named. Last, `missing` (the signer's remembered
 * checkpoint, which log_checkpoints does not hold) is a break of its own: checkpoints were removed.
 */
async function checkpointBreak(
  dataSource: DataSource,
  checkpoints: readonly StoredCheckpoint[],
  leaves: LeafWalk,
  lastId: string | undefined,
  verifierKey: string | undefined,
  missing: StoredCheckpoint | undefined,
): Promise<ChainBreak | undefined> {
  const latest = checkpoints.at(-1);
  const seen = (c: StoredCheckpoint): CheckpointBroken => ({
    treeSize: c.treeSize,
    signedAt: c.signedAt,
    latest: c === latest,
    remembered: c.id === REMEMBERED_ID,
  });
  const eventAt = async (c: StoredCheckpoint) =>
    leaves.eventAt(c.treeSize) ?? (await eventOfLeaf(dataSource.manager, c.treeSize - 1)) ?? lastId ?? '0';
  if (verifierKey !== undefined)
    for (const c of checkpoints)
      if (!checkpointSignatureHolds(c, verifierKey))
        return { id: await eventAt(c), problem: 'checkpoint_signature', checkpoint: seen(c) };
  if (latest && leaves.position < latest.treeSize)
    return { id: lastId ?? '0', problem: 'log_shrank', checkpoint: seen(latest) };
  for (const c of checkpoints) {
    const root = leaves.recomputedRoot(c.treeSize) ?? (await storedRootAt(dataSource.manager, c.treeSize));
    if (!root?.equals(c.rootHash))
      return { id: await eventAt(c), problem: 'checkpoint_mismatch', checkpoint: seen(c) };
  }
  if (missing)
    return { id: await eventAt(missing), problem: 'checkpoint_missing', checkpoint: seen(missing) };
  return undefined;
}

/**
 * Walks the whole chain in id order, in batches so memory stays flat however long the log, then
 * checks that every earlier verification's event still carries the hash it vouched for (a chain
 * rewritten and rehashed from some event on is intact in itself, but disagrees with those). While
 * walking it recomputes every event's leaf of the transparency log (it must be merkle_nodes level
 * 0) and the root at the size of every signed checkpoint, which must be that checkpoint's root
 * (and each checkpoint's note must verify and say what its row says): a log rewritten and rehashed
 * throughout, Merkle tree included, still disagrees with what was signed and published. Last, the
 * live tables against the log (`reconcileFully`): every status event and attestation must be a row
 * its event names and agrees with, and every such row named by an event.
 */
export async function verifyAuditChain(
  dataSource: DataSource,
  options: LogCheckOptions = {},
): Promise<ChainVerification> {
  const { batchSize = BATCH_SIZE, verifierKey, remembered } = options;
  const { checkpoints, missing } = await withRemembered(
    dataSource,
    await checkpointsBySize(dataSource.manager),
    remembered,
  );
  const checkpoint = newestSeen(await latestCheckpoint(dataSource.manager), remembered);
  const leaves = new LeafWalk(
    0,
    checkpoints.map((c) => c.treeSize),
  );
  const walked = await walkChain(dataSource, '0', GENESIS_HASH, batchSize, leaves);
  if (walked.broken) return { mode: 'full', ...walked };
  const broken =
    (await anchorBreak(dataSource)) ??
    (await checkpointBreak(dataSource, checkpoints, leaves, walked.head?.id, verifierKey, missing));
  if (broken) return { mode: 'full', checked: walked.checked, broken };
  // The live tables against the log (reconciliation.ts): a row removed, added or changed behind it.
  const reconciled = await reconcileFully(dataSource.manager, walked.head?.id ?? '0');
  if (reconciled.mismatch)
    return { mode: 'full', checked: walked.checked, broken: registerBreak(reconciled.mismatch) };
  return {
    mode: 'full',
    ...walked,
    eventCount: walked.head ? walked.checked : 0,
    counts: reconciled.counts,
    ...(checkpoint ? { checkpoint } : {}),
  };
}

/**
 * Continues from the newest earlier verification (its anchor): checks that every earlier
 * verification's event is still there with the hash it vouched for, that the anchor event's content
 * still gives that hash, and walks the events after it: work in proportion to the new events (and
 * the number of verifications), not to the log. Their leaves are recomputed, and the checkpoints
 * signed since the anchor's verification (and the latest) are checked: note, row, and the stored
 * tree's root at their size; the rows of the new status and issue events, and the tables' counts
 * against the anchor's (`reconcileSince`). It does NOT re-read the
 * events before the anchor: one changed or removed there (without rehashing the chain up to the
 * anchor) is found only by `verifyAuditChain`, the full run. Without an earlier verification it is
 * the full run.
 */
export async function verifyAuditChainIncrementally(
  dataSource: DataSource,
  options: LogCheckOptions = {},
): Promise<ChainVerification> {
  const { batchSize = BATCH_SIZE, verifierKey, remembered } = options;
  // A break found earlier stands until a full run finds the log intact again: continuing from the
  // last intact verification would not look where it was found, and call the log intact.
  const recorded = await standingAuditBreak(dataSource.manager);
  if (recorded)
    return {
      mode: 'incremental',
      checked: 0,
      broken: { id: recorded.eventId, problem: recorded.problem },
      recorded,
    };
  const anchor = await latestAuditVerification(dataSource.manager);
  if (!anchor) return verifyAuditChain(dataSource, options);
  const result = (fields: Omit<ChainVerification, 'mode' | 'anchor'>): ChainVerification => ({
    mode: 'incremental',
    anchor,
    ...fields,
  });
  const disagreeing = await anchorBreak(dataSource);
  if (disagreeing) return result({ checked: 0, broken: disagreeing });
  // The checkpoints signed since the anchor's verification, the latest, and the signer's memory.
  const { checkpoints, missing } = await withRemembered(
    dataSource,
    await checkpointsBySize(dataSource.manager, anchor.verifiedAt),
    remembered,
  );
  const checkpoint = newestSeen(await latestCheckpoint(dataSource.manager), remembered);
  // The anchor is there with the hash vouched for (anchorBreak): its content must still give that
  // hash, and its leaf must still be the one it makes.
  const [event] = await eventsWithLeavesAfter(dataSource.manager, (BigInt(anchor.headId) - 1n).toString(), 1);
  if (!event || event.id !== anchor.headId)
    throw new Error('the anchor event is gone after anchorBreak found it');
  if (chainHash(event.prevHash, event) !== event.hash)
    return result({ checked: 1, broken: { id: event.id, problem: 'content_mismatch', anchor } });
  const leaves = new LeafWalk(
    anchor.eventCount - 1,
    checkpoints.map((c) => c.treeSize),
  );
  if (!leaves.check(event))
    return result({ checked: 1, broken: { id: event.id, problem: 'leaf_mismatch', anchor } });
  const walked = await walkChain(dataSource, anchor.headId, anchor.headHash, batchSize, leaves);
  if (walked.broken) return result({ checked: walked.checked + 1, broken: walked.broken });
  const head = walked.head ?? { id: event.id, hash: event.hash, occurredAt: event.occurredAt };
  const broken = await checkpointBreak(dataSource, checkpoints, leaves, head.id, verifierKey, missing);
  if (broken) return result({ checked: walked.checked + 1, broken });
  // The rows of the new events, and the tables' counts against the anchor's (reconciliation.ts).
  const reconciled = await reconcileSince(dataSource.manager, head.id, anchor);
  if (reconciled.mismatch)
    return result({ checked: walked.checked + 1, broken: registerBreak(reconciled.mismatch) });
  return result({
    checked: walked.checked + 1,
    head,
    eventCount: anchor.eventCount + walked.checked,
    counts: reconciled.counts,
    ...(checkpoint ? { checkpoint } : {}),
  });
}

/**
 * Records what an intact verification vouched for, so that the next incremental run continues from
 * its head, or where a broken one found the break, so that later incremental runs fail until a full
 * run finds the log intact again; `by` is who ran it (an e-mail address, or `cli:audit:verify`).
 * Nothing is recorded for an empty log, or for a run that only repeated a recorded break.
 */
export async function recordAuditVerification(
  manager: EntityManager,
  verification: ChainVerification,
  by: string,
  now: Date,
  milliseconds: number,
): Promise<boolean> {
  const { head, eventCount, broken } = verification;
  if (verification.recorded) return false;
  if (broken) {
    await insertAuditBreak(manager, {
      verifiedAt: now,
      verifiedBy: by,
      mode: verification.mode,
      fromEventId: verification.anchor?.headId ?? null,
      eventId: broken.id,
      problem: broken.problem,
      checked: verification.checked,
      milliseconds,
    });
    return true;
  }
  if (!head || !eventCount) return false;
  await insertAuditVerification(manager, {
    verifiedAt: now,
    verifiedBy: by,
    mode: verification.mode,
    fromEventId: verification.anchor?.headId ?? null,
    headId: head.id,
    headHash: head.hash,
    eventCount,
    counts: verification.counts ?? null,
    checked: verification.checked,
    milliseconds,
  });
  return true;
}

/**
 * The most bytes an event's leaf entry in the transparency log may take: a tlog-tiles entry bundle
 * gives each entry a 16-bit length.
 */
export const MAX_LEAF_BYTES = 65_535;

/** Thrown when an event's leaf entry would not fit a leaf of the transparency log; nothing is appended. */
export class AuditEventTooLargeError extends Error {
  constructor(
    readonly action: string,
    readonly bytes: number,
  ) {
    super(
      `audit event ${action} makes a leaf entry of ${bytes} bytes; a leaf of the transparency log holds at most ${MAX_LEAF_BYTES}`,
    );
  }
}

/**
 * Appends the events' leaves to the Merkle tree, under the chain lock the caller holds: reads the
 * tree's right edge once, extends it in memory and inserts the leaves and every perfect subtree
 * they complete, in batches. Leaf i is the i-th event in chain order.
 */
async function appendLeaves(
  manager: EntityManager,
  leaves: readonly { eventId: string; salt: Buffer; entry: string }[],
) {
  const size = await storedTreeSize(manager);
  const range = new CompactRange(size, await readMerkleNodes(manager, CompactRange.refs(size)));
  const nodes = leaves.flatMap((leaf) => range.append(leafHash(leaf.entry)));
  await insertMerkleLeaves(manager, size, leaves);
  await insertMerkleNodes(manager, nodes);
}

/**
 * Appends many events at once (bulk seeding) inside the caller's transaction: one lock, one read
 * of the chain's head, ids reserved in one go, rows inserted in batches. Same chain as appending
 * them one by one. Each event becomes the next leaf of the Merkle tree in the same transaction.
 */
export async function appendAuditEvents(
  manager: EntityManager,
  now: Date,
  entries: AuditEntry[],
): Promise<AuditEvent[]> {
  if (!manager.queryRunner?.isTransactionActive)
    throw new Error('appendAuditEvent must run inside a transaction');
  if (entries.length === 0) return [];
  entries.forEach(refusePersonalData);
  await lockAuditChain(manager);
  let prevHash = (await lastAuditHash(manager)) ?? GENESIS_HASH;
  const ids = await reserveAuditEventIds(manager, entries.length);
  const leaves: { eventId: string; salt: Buffer; entry: string }[] = [];
  const personal: { eventId: string; data: Record<string, unknown>; salt: Buffer }[] = [];
  const events = entries.map((entry, i) => {
    // Through JSON once, so that what is hashed is exactly what jsonb gives back (dates as strings).
    const data = JSON.parse(JSON.stringify(entry.data ?? {})) as Record<string, unknown>;
    if (writesConfidentialLeaf(entry)) data[CONFIDENTIAL_LEAF_FIELD] = true;
    if (entry.personal) {
      const side = JSON.parse(JSON.stringify(entry.personal)) as Record<string, unknown>;
      const salt = newSalt();
      data[PERSONAL_DATA_FIELD] = personalDataDigest(salt, side);
      personal.push({ eventId: must(ids[i], 'an id per entry'), data: side, salt });
    }
    const event = manager.create(AuditEvent, {
      id: ids[i],
      occurredAt: entry.occurredAt ?? now,
      actor: entry.actor,
      action: entry.action,
      subjectType: entry.subjectType,
      subjectId: entry.subjectId,
      data,
      prevHash,
    });
    // Its leaf publishes the header and public fields, and binds the rest by a digest salted per leaf.
    const salt = newSalt();
    const leaf = leafEntry(event, salt);
    const bytes = Buffer.byteLength(leaf);
    if (bytes > MAX_LEAF_BYTES) throw new AuditEventTooLargeError(entry.action, bytes);
    leaves.push({ eventId: event.id, salt, entry: leaf });
    event.hash = chainHash(prevHash, event);
    prevHash = event.hash;
    return event;
  });
  for (let i = 0; i < events.length; i += 1000) {
    await manager.insert(AuditEvent, events.slice(i, i + 1000) as QueryDeepPartialEntity<AuditEvent>[]);
  }
  // One statement however many: the rows go as arrays (unnest), with no parameter limit to stay under.
  await insertPersonalData(manager, personal);
  await appendLeaves(manager, leaves);
  return events;
}
