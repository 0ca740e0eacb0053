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
