import type { EntityManager } from 'typeorm';

/** A buyer organisation: one per e-mail domain. */
export interface BuyerOrganisationRow {
  id: string;
  domain: string;
  name: string;
  createdAt: Date;
}

/** A buyer's account as the administrators' page lists it. */
export interface BuyerAccountRow {
  id: string;
  organisationId: string;
  name: string;
  email: string;
  emailVerifiedAt: Date | null;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
}

const ORGANISATION = `id, domain, name, created_at AS "createdAt"`;

/**
 * The organisation of `domain`, made (named after the domain) when it has none yet. Two first
 * buyers of a domain at once: the unique domain lets one insert, and both read the same row.
 * Answers whether this call made it.
 */
export async function findOrInsertOrganisation(
  manager: EntityManager,
  domain: string,
  now: Date,
): Promise<{ organisation: BuyerOrganisationRow; created: boolean }> {
  const inserted = await manager.query<BuyerOrganisationRow[]>(
    `INSERT INTO buyer_organisations (domain, name, created_at) VALUES ($1, $1, $2)
     ON CONFLICT (domain) DO NOTHING RETURNING ${ORGANISATION}`,
    [domain, now],
  );
  if (inserted[0]) return { organisation: inserted[0], created: true };
  const [organisation] = await manager.query<BuyerOrganisationRow[]>(
    `SELECT ${ORGANISATION} FROM buyer_organisations WHERE domain = $1`,
    [domain],
  );
  return { organisation: organisation!, created: false };
}

export async function organisationById(
  manager: EntityManager,
  id: string,
): Promise<BuyerOrganisationRow | undefined> {
  const [row] = await manager.query<BuyerOrganisationRow[]>(
    `SELECT ${ORGANISATION} FROM buyer_organisations WHERE id = $1::uuid`,
    [id],
  );
  return row;
}

/** Every buyer organisation, by name. */
export function allOrganisations(manager: EntityManager): Promise<BuyerOrganisationRow[]> {
  return manager.query<BuyerOrganisationRow[]>(
    `SELECT ${ORGANISATION} FROM buyer_organisations ORDER BY lower(name), domain`,
  );
}

/** Every buyer's account, active first, by name. */
export function allBuyerAccounts(manager: EntityManager): Promise<BuyerAccountRow[]> {
  return manager.query<BuyerAccountRow[]>(
    `SELECT id, buyer_organisation_id AS "organisationId", name, email,
            email_verified_at AS "emailVerifiedAt", last_login_at AS "lastLoginAt", disabled_at AS "disabledAt"
       FROM users WHERE role = 'buyer'
      ORDER BY disabled_at IS NOT NULL, lower(name), email`,
  );
}

export async function renameOrganisation(manager: EntityManager, id: string, name: string): Promise<boolean> {
  // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, affected].
  const [rows] = await manager.query<[unknown[], number]>(
    `UPDATE buyer_organisations SET name = $2 WHERE id = $1::uuid RETURNING id`,
    [id, name],
  );
  return rows.length > 0;
}
