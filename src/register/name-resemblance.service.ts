import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import type { Provider } from '../provider/provider.entity';
import { keysResemble, MIN_SIMILAR_KEY_LENGTH, nameKey, RESEMBLANCE_THRESHOLD } from './name-resemblance';
import { insertReviewTask } from '../provider/review-tasks';
import { similarKeyPairs, verifiedNames } from './name-resemblance.queries';

/** The actor of a task the register raises itself on a registration. */
export const NAME_CHECK_ACTOR = 'register:name-check';

/** What a name task says: which of the provider's names resembles which verified provider's name. */
export interface NameResemblance {
  name: string;
  resemblesName: string;
  resemblesKvk: string;
  resemblesProviderId: string;
  /** `same`: equal once normalised; `similar`: by trigram similarity. */
  match: 'same' | 'similar';
  similarity: number;
}

/**
 * Compares the provider's legal and trade names with those of every provider whose identity is
 * confirmed under another KvK number, and when one resembles (nameKey, keysResemble) opens a review
 * task `name_resembles_verified` saying which, with its audit event, in the caller's transaction.
 * For a registration, and for an organisation an eHerkenning login creates. Answers the
 * resemblance found (also when a task of this kind was open already), or undefined.
 */
export async function flagResemblingName(
  manager: EntityManager,
  provider: Pick<Provider, 'id' | 'kvkNumber' | 'legalName' | 'tradeNames'>,
  now: Date,
): Promise<NameResemblance | undefined> {
  const ourNames = [provider.legalName, ...provider.tradeNames];
  const ours = ourNames.map(nameKey);
  if (ours.every((key) => key === '')) return undefined;
  const verified = await verifiedNames(manager, { providerId: provider.id, kvkNumber: provider.kvkNumber });
  if (verified.length === 0) return undefined;
  const theirs = verified.map((v) => nameKey(v.name));
  const pairs = await similarKeyPairs(manager, ours, theirs, RESEMBLANCE_THRESHOLD, MIN_SIMILAR_KEY_LENGTH);
  const best = pairs.find((p) => keysResemble(ours[p.ours]!, theirs[p.theirs]!, p.similarity));
  if (!best) return undefined;
  const match = verified[best.theirs]!;
  const same = ours[best.ours] === theirs[best.theirs];
  const resemblance: NameResemblance = {
    name: ourNames[best.ours]!,
    resemblesName: match.name,
    resemblesKvk: match.kvk_number,
    resemblesProviderId: match.provider_id,
    match: same ? 'same' : 'similar',
    similarity: Math.round(best.similarity * 100) / 100,
  };
  const taskId = await insertReviewTask(
    manager,
    { providerId: provider.id, kind: 'name_resembles_verified', detail: { ...resemblance } },
    now,
  );
  if (taskId) {
    await appendAuditEvent(manager, now, {
      actor: NAME_CHECK_ACTOR,
      action: 'review_task.opened',
      subjectType: 'provider',
      subjectId: provider.id,
      data: { taskId, kind: 'name_resembles_verified', detail: resemblance },
    });
  }
  return resemblance;
}
