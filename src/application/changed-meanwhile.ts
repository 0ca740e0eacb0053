import { actorName } from '../audit/people.queries';
import { actionLabelKey } from '../audit/audit.service';
import type { EntityManager } from 'typeorm';
import { Provider } from '../provider/provider.entity';
import type { ChangedMeanwhile } from '../shared/errors';
import { Application } from './application.entity';
import { currentStatus, latestApplicationChange, latestStatusEvent } from './application-records';

/* What a conflict's page says changed meanwhile: read only when a conflict shows a form again. */

/**
 * An application's newest change and its state now. `showWho` is for staff: a provider sees what
 * changed and when, not the address of the reviewer or colleague who did it.
 */
export async function applicationChangedMeanwhile(
  manager: EntityManager,
  applicationId: string,
  showWho: boolean,
): Promise<ChangedMeanwhile | undefined> {
  const application = await manager.findOneBy(Application, { id: applicationId });
  if (!application) return undefined;
  const change = await latestApplicationChange(manager, applicationId);
  return {
    stateKey: `application.state.${application.state}`,
    ...(change
      ? {
          actionKey: actionLabelKey(change.action),
          at: change.at,
          who: showWho ? await actorName(manager, change.actor) : undefined,
        }
      : {}),
  };
}

/** A provider's newest status change (by whom, when) and its status now, for reviewers. */
export async function providerChangedMeanwhile(
  manager: EntityManager,
  kvkNumber: string,
  now: Date,
): Promise<ChangedMeanwhile | undefined> {
  const provider = await manager.findOneBy(Provider, { kvkNumber });
  if (!provider) return undefined;
  const [newest, status] = await Promise.all([
    latestStatusEvent(manager, provider.id),
    currentStatus(manager, provider.id, now),
  ]);
  return {
    stateKey: `status.label.${status.verantwoord ? 'verantwoord' : status.reason}`,
    ...(newest
      ? {
          actionKey: actionLabelKey(`status.${newest.kind}`),
          at: newest.recordedAt,
          who: await actorName(manager, newest.actor),
        }
      : {}),
  };
}
