import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** The predecessor hash of the first event in the log. */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an audit event its hash covers. */
export interface AuditContent {
  id: string;
  occurredAt: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
}

/** The canonical JSON (RFC 8785) of an event's content: the same bytes for the same content. */
export function canonicalJson(content: AuditContent): string {
  const json = canonicalize({
    id: content.id,
    occurredAt: content.occurredAt.toISOString(),
    actor: content.actor,
    action: content.action,
    subjectType: content.subjectType,
    subjectId: content.subjectId,
    data: content.data,
  });
  if (json === undefined) throw new Error('audit event content cannot be canonicalised');
  return json;
}

/** SHA-256 over the predecessor's hash and the event's canonical JSON, as lowercase hex. */
export function chainHash(prevHash: string, content: AuditContent): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(content)).digest('hex');
}

export interface ChainLink extends AuditContent {
  prevHash: string;
  hash: string;
}

export type BrokenLink = { id: string; problem: 'predecessor_mismatch' | 'content_mismatch' };

/**
 * Checks links in chain order, continuing from `expectedPrev` (the hash of the link before the
 * first one given). Returns the first broken link, or the hash the next link must carry.
 */
export function checkLinks(
  links: readonly ChainLink[],
  expectedPrev: string,
): { broken: BrokenLink } | { broken?: undefined; lastHash: string } {
  let prev = expectedPrev;
  for (const link of links) {
    if (link.prevHash !== prev) return { broken: { id: link.id, problem: 'predecessor_mismatch' } };
    if (chainHash(link.prevHash, link) !== link.hash)
      return { broken: { id: link.id, problem: 'content_mismatch' } };
    prev = link.hash;
  }
  return { lastHash: prev };
}
