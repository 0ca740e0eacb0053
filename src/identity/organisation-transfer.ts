import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { insertReviewTask } from '../provider/review-tasks';
import type { Config } from '../config';
import { queueMail } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { confirmIdentity } from '../provider/identity-confirmation';
import { paths } from '../shared/paths';
import { deleteSessionsOf } from './account.queries';
import { User } from './user.entity';

/** How the real owner of an organisation showed it is theirs. */
export type HandOverWay = 'eherkenning' | 'claim';

export interface HandOver {
  providerId: string;
  /**
   * The account that gets the organisation: a provider account of this organisation, made in the
   * same transaction (the eHerkenning login's account, the claimant's account).
   */
  toUserId: string;
  how: HandOverWay;
  /** Who decided: the new owner themself (an eHerkenning login) or the reviewer of a claim. */
  actor: string;
  config: Pick<Config, 'publicBaseUrl' | 'contactEmail'>;
  now: Date;
  /** What the audit event keeps besides (a claim's id, the extract's SHA-256); never personal data. */
  detail?: Record<string, unknown>;
  /** Where the new owner's mail sends them: their account page, unless given (a claimant's password link). */
  ownerLink?: string;
}

/**
 * Moves an organisation to the person who showed it is theirs, in the caller's transaction: every
 * other account of the organisation is disabled at once (its sessions end, its reset links and the
 * organisation's open invitations stop working), the organisation's identity counts as confirmed
 * (by eHerkenning, or by the KvK extract a reviewer checked with the claim), one audit event
 * `provider.handed_over` records it, the new owner and every former user get a mail, and a takeover
 * by eHerkenning opens a review task: a reviewer looks at what the former users had done. Answers
 * the ids of the accounts that lost access.
 */
export async function handOverOrganisation(
  manager: EntityManager,
  handOver: HandOver,
): Promise<{ formerUserIds: string[] }> {
  const { providerId, toUserId, how, actor, config, now } = handOver;
  // Locks the organisation: two takeovers of one organisation happen one after the other.
  const provider = await manager.findOneOrFail(Provider, {
    where: { id: providerId },
    lock: { mode: 'pessimistic_write' },
  });
  const owner = await manager.findOneOrFail(User, { where: { id: toUserId } });
  if (owner.role !== 'provider' || owner.providerId !== providerId || owner.disabledAt)
    throw new Error(`account ${toUserId} cannot take over organisation ${providerId}`);

  const [former] = await manager.query<[{ id: string; email: string }[], number]>(
    `UPDATE users SET disabled_at = $3::timestamptz
      WHERE provider_id = $1 AND role = 'provider' AND id <> $2 AND disabled_at IS NULL
      RETURNING id, email`,
    [providerId, toUserId, now],
  );
  for (const user of former) await deleteSessionsOf(manager, user.id, null);
  // The former users' reset links, and every invitation of the organisation still out.
  const [, revokedLinks] = await manager.query<[unknown, number]>(
    `UPDATE account_tokens SET used_at = $3::timestamptz,
            revoked_at = CASE WHEN purpose = 'invitation' THEN $3::timestamptz END
      WHERE used_at IS NULL
        AND ((purpose = 'invitation' AND provider_id = $1)
          OR (purpose = 'password_reset' AND user_id = ANY($2::uuid[])))`,
    [providerId, former.map((u) => u.id), now],
  );

  const formerUserIds = former.map((u) => u.id);
  await confirmIdentity(
    manager,
    providerId,
    actor,
    { handedOverTo: toUserId, ...handOver.detail },
    now,
    how === 'eherkenning' ? 'eherkenning' : 'kvk_extract',
  );
  let taskId: string | undefined;
  if (how === 'eherkenning') {
    taskId = await insertReviewTask(
      manager,
      {
        providerId,
        kind: 'organisation_taken_over',
        detail: { formerUsers: String(formerUserIds.length) },
      },
      now,
    );
  }
  await appendAuditEvent(manager, now, {
    actor,
    action: 'provider.handed_over',
    subjectType: 'provider',
    subjectId: providerId,
    data: {
      ...handOver.detail,
      how,
      toUserId,
      formerUserIds,
      revokedLinks,
      ...(taskId ? { taskId } : {}),
    },
  });

  const accountLink = handOver.ownerLink ?? `${config.publicBaseUrl}${paths.account}`;
  await queueMail(
    manager,
    mailTexts.organisationHandedOver(owner.email, provider.legalName, provider.kvkNumber, how, accountLink),
  );
  for (const user of former)
    await queueMail(
      manager,
      mailTexts.organisationAccessEnded(
        user.email,
        provider.legalName,
        provider.kvkNumber,
        how,
        config.contactEmail,
      ),
    );
  return { formerUserIds };
}
