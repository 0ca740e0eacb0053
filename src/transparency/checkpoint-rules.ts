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
