import type { DataSource } from 'typeorm';
import type { Provider } from '../../src/provider/provider.entity';
import { addDays, startOfLocalDay } from '../../src/shared/time';
import { givenProvider, givenStatusEvent } from './provider.factory';

/**
 * A public provider listed for five years on code version `version`, in the AAN since `aanSince`:
 * what the AAN list tests import lists about. Approved 30 days ago unless told when.
 */
export async function givenAanListed(
  dataSource: DataSource,
  version: { id: string },
  options: { aanSince?: string; approvedAt?: Date; codeSignedOn?: string } = {},
): Promise<Provider> {
  const provider = await givenProvider(dataSource);
  await givenStatusEvent(dataSource, {
    providerId: provider.id,
    kind: 'listing_approved',
    effectiveAt: options.approvedAt ?? addDays(new Date(), -30),
    validUntil: addDays(new Date(), 5 * 365),
    codeOfConductVersionId: version.id,
    codeSignedOn: options.codeSignedOn ?? '2024-12-01',
    aanSince: startOfLocalDay(options.aanSince ?? '2025-01-01'),
  });
  return provider;
}

/** The provider's open review tasks, with what they say. */
export function openReviewTasks(dataSource: DataSource, providerId: string) {
  return dataSource.query<{ id: string; kind: string; detail: Record<string, string> | null }[]>(
    'SELECT id, kind, detail FROM review_tasks WHERE provider_id = $1 AND resolved_at IS NULL',
    [providerId],
  );
}
