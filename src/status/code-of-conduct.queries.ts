import type { EntityManager } from 'typeorm';

/** The legal name of every provider in the register, by id. */
export async function providerNames(manager: EntityManager): Promise<Map<string, string>> {
  const rows = await manager.query<{ id: string; legal_name: string }[]>(
    'SELECT id, legal_name FROM providers',
  );
  return new Map(rows.map((row) => [row.id, row.legal_name]));
}
