import type { EntityManager } from 'typeorm';

/** The addresses of a provider's active users. */
export async function activeProviderUserEmails(
  manager: EntityManager,
  providerId: string,
): Promise<string[]> {
  const rows = await manager.query<{ email: string }[]>(
    'SELECT email FROM users WHERE provider_id = $1 AND disabled_at IS NULL',
    [providerId],
  );
  return rows.map((r) => r.email);
}

/** The addresses of the active users of each of these providers (a provider without any is left out). */
export async function activeProviderUsersEmails(
  manager: EntityManager,
  providerIds: string[],
): Promise<Map<string, string[]>> {
  const rows = await manager.query<{ provider_id: string; email: string }[]>(
    'SELECT provider_id, email FROM users WHERE provider_id = ANY ($1::uuid[]) AND disabled_at IS NULL',
    [providerIds],
  );
  const byProvider = new Map<string, string[]>();
  for (const row of rows)
    byProvider.set(row.provider_id, [...(byProvider.get(row.provider_id) ?? []), row.email]);
  return byProvider;
}

/**
 * The addresses of the reviewers whose account is active; without those who belong to
 * `exceptProviderId` (a reviewer never decides on their own organisation's application); with
 * `onlyUserId`, just that reviewer's (none when that account is no active reviewer).
 */
export async function activeReviewerEmails(
  manager: EntityManager,
  exceptProviderId?: string,
  onlyUserId?: string,
): Promise<string[]> {
  const rows = await manager.query<{ email: string }[]>(
    `SELECT email FROM users
      WHERE role = 'reviewer' AND disabled_at IS NULL
        AND ($1::uuid IS NULL OR provider_id IS DISTINCT FROM $1::uuid)
        AND ($2::uuid IS NULL OR id = $2::uuid)
      ORDER BY email`,
    [exceptProviderId ?? null, onlyUserId ?? null],
  );
  return rows.map((r) => r.email);
}
