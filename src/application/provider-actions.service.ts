import type { DataSource } from 'typeorm';
import type { User } from '../identity/user.entity';
import type { Config } from '../config';
import { mailTexts } from '../mail/messages';
import { Provider } from '../provider/provider.entity';
import { confirmIdentity } from '../register/provider.service';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { parseLocalDate, startOfLocalDay, toLocalDate } from '../shared/time';
import { readSettings } from '../settings/settings.service';
import { recordStatusEvent } from '../status/status.service';
import { currentStatus, notifyProviderUsers } from './application-records';
import { type ProviderStatusAction, providerStatusActions } from './application-rules';

/* A reviewer's actions on a provider rather than on one application: its listing's status and its identity. */

/** Why a status action is refused: the provider's status does not allow it. */
const CANNOT: Record<ProviderStatusAction, string> = {
  suspend: 'review.cannotSuspend',
  lift: 'review.cannotLift',
  revoke: 'review.cannotRevoke',
};

/** Suspend (with reason and optional end date), lift a suspension, or revoke (with reason). */
export async function actOnProvider(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  input: { action: ProviderStatusAction; reason: string; until: string },
  config: Config,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    // Serialise actions on one provider, so two reviewers cannot both suspend or both lift.
    const provider = await manager
      .getRepository(Provider)
      .createQueryBuilder('p')
      .where('p.kvk_number = :kvkNumber', { kvkNumber })
      .setLock('pessimistic_write')
      .getOne();
    if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
    if (reviewer.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    const status = await currentStatus(manager, provider.id, now);
    const reason = input.reason.trim();
    if (input.action !== 'lift' && !reason)
      throw new ValidationError({ reason: ['validation.reasonRequired'] });

    let suspendedUntil: Date | null = null;
    if (input.action === 'suspend' && input.until) {
      if (!parseLocalDate(input.until) || input.until <= toLocalDate(now))
        throw new ValidationError({ until: ['validation.futureDate'] });
      suspendedUntil = startOfLocalDay(input.until);
    }
    if (!providerStatusActions(status).includes(input.action)) throw new ConflictError(CANNOT[input.action]);

    const kind = ({ suspend: 'suspended', lift: 'suspension_lifted', revoke: 'revoked' } as const)[
      input.action
    ];
    await recordStatusEvent(
      manager,
      {
        providerId: provider.id,
        kind,
        effectiveAt: now,
        actor: reviewer.email,
        reason: reason || null,
        suspendedUntil,
      },
      now,
    );
    const { contactEmail } = await readSettings(manager, config);
    await notifyProviderUsers(manager, provider.id, (to, organisation) =>
      mailTexts.statusChange(
        to,
        organisation,
        input.action,
        reason || null,
        `${config.publicBaseUrl}${paths.provider(kvkNumber)}`,
        { until: suspendedUntil, contact: contactEmail },
      ),
    );
  });
}

/**
 * A reviewer confirms who an organisation is (after checking it outside the register), which makes
 * it public; never for the reviewer's own organisation. Confirming twice is a conflict.
 */
export async function confirmProviderIdentity(
  dataSource: DataSource,
  reviewer: User,
  kvkNumber: string,
  now: Date,
): Promise<void> {
  await dataSource.transaction(async (manager) => {
    const provider = await manager.findOneBy(Provider, { kvkNumber });
    if (!provider) throw new NotFoundError(`provider ${kvkNumber}`);
    if (reviewer.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    if (!(await confirmIdentity(manager, provider.id, reviewer.email, { kvkNumber }, now)))
      throw new ConflictError('review.identityAlreadyConfirmed');
  });
}
