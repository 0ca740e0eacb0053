import {
  type ReasonCode,
  type StatusAt,
  statusAt,
  type CodeVersionFact,
  type StatusFact,
} from './status-rules';

/** A provider's status in one word: `verantwoord`, or the reason it is not. */
export type StatusCodeName = 'verantwoord' | ReasonCode;

export const statusCodeOf = (status: StatusAt): StatusCodeName =>
  status.verantwoord ? 'verantwoord' : status.reason;

/**
 * What the status event numbered `sequence` changed: the status just before it took effect and the
 * status from that instant on, both by the rules over the history as it stood once that event was
 * recorded (the events with a lower sequence and the event itself; later corrections do not rewrite
 * what an entry of the change feed said). "Just before" rather than "at" the instant because the
 * recorded endings (`listing_expired`, `code_of_conduct_lapsed`) take effect at the instant the rules
 * already count from: they record a change time made, from verantwoord to expired. An event may
 * change nothing (a renewal submitted while listed): then `from` and `to` are the same.
 */
export function statusChangeOf(
  history: readonly StatusFact[],
  versions: readonly CodeVersionFact[],
  sequence: number,
): { from: StatusCodeName; to: StatusCodeName } {
  const event = history.find((e) => e.sequence === sequence);
  if (!event) throw new Error(`status event ${sequence} is not in this history`);
  const known = history.filter((e) => e.sequence <= sequence);
  const at = event.effectiveAt;
  return {
    from: statusCodeOf(statusAt(known, versions, new Date(at.getTime() - 1))),
    to: statusCodeOf(statusAt(known, versions, at)),
  };
}
