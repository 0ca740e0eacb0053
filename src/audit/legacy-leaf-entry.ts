import { type AuditContent, canonicalJson } from './audit-chain';

/**
 * The leaf content of an event written before the Merkle log existed ("carried over"), stored in
 * merkle_leaves.entry. One pure function of the event, so that what is carried over is decided in
 * one place and `audit:verify` can recompute it from the event.
 */
export function legacyLeafEntry(event: AuditContent): string {
  return canonicalJson(event);
}
