/** A day: the longest a log goes without a new checkpoint, grown or not. */
export const CHECKPOINT_MAX_AGE_SECONDS = 24 * 3600;

/**
 * Whether a new checkpoint is due: always when none was signed yet; when the tree has grown and
 * the last one is at least `intervalSeconds` old (or `now` is asked for, as `log:checkpoint`
 * does); and at least once a day even when it has not grown, so a monitor can tell a quiet log
 * from a withheld one.
 */
export function checkpointDue(
  last: { treeSize: number; signedAt: Date } | undefined,
  size: number,
  now: Date,
  intervalSeconds: number,
  asked = false,
): boolean {
  if (!last) return true;
  const age = (now.getTime() - last.signedAt.getTime()) / 1000;
  if (age >= CHECKPOINT_MAX_AGE_SECONDS) return true;
  return size > last.treeSize && (asked || age >= intervalSeconds);
}

/** How much longer than the daily checkpoint a log may go before its checkpoints count as behind. */
export const CHECKPOINT_BEHIND_SECONDS = 25 * 3600;
/** The signer looks every interval; a checkpoint missed for three looks (and a minute's slack) is behind. */
const MISSED_LOOKS = 3;

/**
 * Whether the log's checkpoints are behind: the stored tree has grown past the latest checkpoint
 * and that checkpoint is older than three signing intervals and a minute, or the latest checkpoint
 * is older than 25 hours (a day's checkpoint missed). Either means the signer stopped (or refuses),
 * which no monitor sees from the checkpoint alone until the day has passed. `signedAt` is the time
 * the log signed (its timestamped signature when the note has one).
 */
export function checkpointsBehind(
  latest: { treeSize: number; signedAt: Date } | undefined,
  size: number,
  now: Date,
  intervalSeconds: number,
): boolean {
  if (!latest) return false;
  const age = (now.getTime() - latest.signedAt.getTime()) / 1000;
  if (age > CHECKPOINT_BEHIND_SECONDS) return true;
  return size > latest.treeSize && age > MISSED_LOOKS * intervalSeconds + 60;
}
