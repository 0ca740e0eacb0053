import type { EntityManager } from 'typeorm';

/** A provider as the bulk check names it. */
export interface CheckedProvider {
  id: string;
  kvkNumber: string;
  legalName: string;
}

/**
 * The public providers among `kvkNumbers` (a provider whose identity no reviewer has confirmed is
 * unknown to the public). One array parameter, not a parameter per number: a list of a thousand
 * costs the query builder more than the database.
 */
export function publicProvidersByKvk(
  manager: EntityManager,
  kvkNumbers: string[],
): Promise<CheckedProvider[]> {
  return manager.query<CheckedProvider[]>(
    `SELECT id, kvk_number AS "kvkNumber", legal_name AS "legalName"
       FROM providers
      WHERE kvk_number = ANY($1::char(8)[]) AND identity_confirmed_at IS NOT NULL`,
    [kvkNumbers],
  );
}
