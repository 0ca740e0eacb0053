import type { EntityManager } from 'typeorm';
import type { Config } from '../config';
import { readSettings } from '../settings/settings.service';
import { loadCodeVersions, toCodeVersionFact } from '../status/status-history';
import { listingInForce } from '../status/status-rules';
import type { Application } from './application.entity';
import { currentStatus } from './application-records';
import { codeSwitchOpen, listingValidUntil, OPEN_STATES } from './application-rules';

/** What an open application would do if it were approved now, for provider and reviewer alike. */
export interface ApplicationOutlook {
  /** The listing moves from the version it rests on to the newer one this application names. */
  move?: { from: string; to: string };
  /** The listing's end after an approval now: the same computation as the approval's. */
  validUntil: Date;
  /**
   * While a move to a newer version is open, the application is that move: the form offers only
   * versions published after this instant (the listing's own version's publication).
   */
  offerAfter?: Date;
}

/** The outlook of an application not decided yet; undefined once it is decided or withdrawn. */
export async function applicationOutlook(
  manager: EntityManager,
  application: Application,
  config: Config,
  now: Date,
): Promise<ApplicationOutlook | undefined> {
  if (!OPEN_STATES.includes(application.state)) return undefined;
  const [status, versions, settings] = await Promise.all([
    currentStatus(manager, application.providerId, now),
    loadCodeVersions(manager),
    readSettings(manager, config),
  ]);
  const listing = listingInForce(status);
  const listed = listing ? versions.find((v) => v.id === listing.codeOfConductVersionId) : undefined;
  const named = versions.find((v) => v.id === application.codeOfConductVersionId);
  const moveOpen =
    listed && application.kind === 'renewal'
      ? codeSwitchOpen(listed.id, versions.map(toCodeVersionFact), now)
      : undefined;
  return {
    move:
      listed && named && named.publishedAt.getTime() > listed.publishedAt.getTime()
        ? { from: listed.label, to: named.label }
        : undefined,
    validUntil: listingValidUntil(status, now, settings.listingValidityMonths, config.renewalWindowDays),
    offerAfter: moveOpen ? listed?.publishedAt : undefined,
  };
}
