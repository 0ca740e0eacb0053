import type { EntityManager } from 'typeorm';

/** How an account of an organisation came about. */
export type AccountOrigin = 'registration' | 'invitation' | 'eherkenning' | 'claim';

/** One account of an organisation, current or former, as staff see it (personal data: staff only). */
export interface OrganisationAccount {
  id: string;
  name: string;
  email: string;
  origin: AccountOrigin;
  /** The account has an eHerkenning identity (made by one, or adopted by one in a takeover). */
  eherkenning: boolean;
  emailConfirmed: boolean;
  secondFactor: boolean;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  /** Disabled by a hand-over of the organisation (a claim or an eHerkenning takeover). */
  disabledByHandOver: boolean;
  /** The audit events this account wrote (what it did), as the audit log's filter by actor finds them. */
  auditEvents: number;
}

/**
 * Every provider account of an organisation, current ones first, then former ones, oldest first:
 * how it came (a claim's account, an eHerkenning login, an accepted invitation, else a password
 * registration), its address and second factor, and how many audit events it has.
 */
export async function organisationAccounts(
  manager: EntityManager,
  providerId: string,
): Promise<OrganisationAccount[]> {
  return manager.query<OrganisationAccount[]>(
    `SELECT u.id, u.name, u.email,
            CASE WHEN EXISTS (SELECT 1 FROM organisation_claims c WHERE c.user_id = u.id) THEN 'claim'
                 WHEN EXISTS (SELECT 1 FROM audit_events e
                               WHERE e.action = 'user.created' AND e.subject_id = u.id::text
                                 AND e.data->>'way' = 'eherkenning') THEN 'eherkenning'
                 WHEN EXISTS (SELECT 1 FROM account_tokens t
                               WHERE t.purpose = 'invitation' AND t.provider_id = u.provider_id
                                 AND lower(t.email) = u.email AND t.used_at IS NOT NULL AND t.revoked_at IS NULL)
                   THEN 'invitation'
                 ELSE 'registration' END AS origin,
            u.oidc_subject IS NOT NULL AS eherkenning,
            u.email_verified_at IS NOT NULL AS "emailConfirmed",
            u.totp_enabled_at IS NOT NULL AS "secondFactor",
            u.last_login_at AS "lastLoginAt", u.disabled_at AS "disabledAt",
            (u.disabled_at IS NOT NULL AND EXISTS (
              SELECT 1 FROM audit_events h
               WHERE h.action = 'provider.handed_over' AND h.subject_id = u.provider_id::text
                 AND h.data->'formerUserIds' ? u.id::text)) AS "disabledByHandOver",
            (SELECT count(*)::int FROM audit_events a WHERE a.actor = 'provider:' || u.id) AS "auditEvents"
       FROM users u
      WHERE u.provider_id = $1 AND u.role = 'provider'
      ORDER BY u.disabled_at IS NOT NULL, u.created_at, u.id`,
    [providerId],
  );
}

/** The latest hand-over of an organisation: when, how, and to which account; undefined if none. */
export async function lastHandOver(
  manager: EntityManager,
  providerId: string,
): Promise<{ at: Date; how: string; toName: string; toEmail: string } | undefined> {
  const [row] = await manager.query<{ at: Date; how: string; toName: string; toEmail: string }[]>(
    `SELECT e.occurred_at AS at, e.data->>'how' AS how, u.name AS "toName", u.email AS "toEmail"
       FROM audit_events e JOIN users u ON u.id::text = e.data->>'toUserId'
      WHERE e.action = 'provider.handed_over' AND e.subject_id = $1::text
      ORDER BY e.id DESC LIMIT 1`,
    [providerId],
  );
  return row;
}

/**
 * Whether eHerkenning proved the organisation: its identity was confirmed by an eHerkenning login,
 * or one of its accounts still in use signs in with eHerkenning. A claim cannot take such an
 * organisation: its owner logs in with eHerkenning.
 */
export async function provenByEherkenning(manager: EntityManager, providerId: string): Promise<boolean> {
  const [row] = await manager.query<{ proven: boolean }[]>(
    `SELECT EXISTS (SELECT 1 FROM providers WHERE id = $1 AND identity_confirmed_how = 'eherkenning')
         OR EXISTS (SELECT 1 FROM users WHERE provider_id = $1 AND role = 'provider'
                      AND oidc_subject IS NOT NULL AND disabled_at IS NULL) AS proven`,
    [providerId],
  );
  return Boolean(row?.proven);
}
