import type { DataSource } from 'typeorm';
import { applicationPossibility, providerApplications } from '../application/application.service';
import { attestationView } from '../attestation/attestation.view';
import { providerAttestationAnswers } from '../attestation/attestation.service';
import type { Config } from '../config';
import { type ProviderDetail, providerDetailById } from '../register/provider.service';
import { paths } from '../shared/paths';
import { codeVersionLapsesAt, listingInForce } from '../status/status-rules';
import { toCodeVersionFact } from '../status/status-history';
import { pendingInvitations } from '../identity/invitation.service';
import { User } from '../identity/user.entity';
import { type NewApplicationAnswer, OPEN_STATES } from '../application/application-rules';
import { nextStep } from '../application/next-step';
import { causeReason, statusView } from '../register/provider.view';
import { readSettings } from '../settings/settings.service';
import { waitingMatches } from '../signals/signal-match.queries';
import { toLocalDate } from '../shared/time';

/**
 * Everything the account page of a provider user shows; also the model a refused form on that page
 * (an invitation) is shown again with.
 */
export async function providerAccountModel(
  dataSource: DataSource,
  config: Config,
  user: User,
  now: Date,
  issuedNumber?: string,
): Promise<Record<string, unknown>> {
  const [detail, applications, possibility, colleagues, invitations, settings, signalMatches] =
    await Promise.all([
      providerDetailById(dataSource, user.providerId!, now),
      providerApplications(dataSource, user.providerId!),
      applicationPossibility(dataSource.manager, user.providerId!, config, now),
      dataSource
        .getRepository(User)
        .find({ where: { providerId: user.providerId! }, order: { name: 'ASC' } }),
      pendingInvitations(dataSource.manager, user.providerId!, now),
      readSettings(dataSource.manager, config),
      waitingMatches(dataSource.manager, user.providerId!, toLocalDate(now)),
    ]);
  const { provider, status } = detail;
  const open = applications.find((a) => OPEN_STATES.includes(a.state));
  const step = nextStep({
    status,
    openApplication: open && { id: open.id, state: open.state },
    possibility,
    aanEndsAt: detail.aanEndsAt,
  });
  // The next step already names a lapse of the signed version: the separate notice would say it again.
  const lapseInNextStep = step.step === 'signNewCode';
  const notice = codeVersionNotice(detail, now);
  const codeNotice = lapseInNextStep && !notice?.publishedOn ? undefined : notice;
  const codeSwitch = codeSwitchView(detail, possibility, now);
  return {
    title: 'account.title',
    provider,
    status: statusView(status, causeReason(detail), detail.aanEndsAt),
    nextStep: {
      key: `account.nextStep.${step.step}`,
      date: step.date,
      link: step.applicationId ? paths.application(step.applicationId) : undefined,
    },
    contactEmail: settings.contactEmail,
    signalMatches,
    applications,
    possibility,
    colleagues,
    invitations: invitations.map((i) => ({ ...i, revokeAction: paths.revokeInvitation(i.id) })),
    attestations: providerAttestationAnswers(detail, now).map(attestationView),
    codeNotice,
    codeSwitch,
    lapseNamed: Boolean(codeNotice) || lapseInNextStep,
    // An announced version: no button yet; say from when there will be one.
    codeSwitchFrom:
      notice?.publishedOn &&
      !codeSwitch &&
      !(!possibility.allowed && possibility.reason === 'open_application')
        ? { label: notice.label, date: notice.publishedOn }
        : undefined,
    issueAction: status.verantwoord ? paths.attestations : undefined,
    issueBlockedKey: 'attestation.issueBlocked',
    issuedNumber,
    // Not public until its identity is verified: no link to a page that answers 404.
    publicUrl: provider.identityConfirmedAt ? paths.provider(provider.kvkNumber) : undefined,
  };
}

/**
 * While the signed code version is in its transition period: the newest version, when the old one
 * lapses, and, while the newest is only announced, the day it is published (it is accepted from then).
 */
function codeVersionNotice({ status, codeVersions }: ProviderDetail, now: Date) {
  if (!status.verantwoord) return undefined;
  const facts = codeVersions.map(toCodeVersionFact);
  const signed = facts.find((v) => v.id === status.listing.codeOfConductVersionId);
  const lapse = signed ? codeVersionLapsesAt(signed, facts) : undefined;
  if (!lapse) return undefined;
  const newest = codeVersions.at(-1);
  const announced = newest && newest.publishedAt.getTime() > now.getTime();
  return { label: newest?.label, date: lapse, publishedOn: announced ? newest.publishedAt : undefined };
}

/**
 * A newer code version is out while the listing rests on an older one: the account page offers an
 * application on it at once, with the version, when the signed one lapses and the listing's end.
 */
function codeSwitchView(
  { status, codeVersions }: ProviderDetail,
  possibility: NewApplicationAnswer,
  now: Date,
) {
  if (!possibility.allowed || !possibility.codeSwitch) return undefined;
  const { newestVersionId, lapsesAt } = possibility.codeSwitch;
  return {
    label: codeVersions.find((v) => v.id === newestVersionId)?.label,
    date: lapsesAt,
    lapsed: lapsesAt.getTime() <= now.getTime(),
    validUntil: listingInForce(status)?.validUntil,
  };
}

/**
 * Where a visitor logs in with eHerkenning to claim an organisation registered by someone else;
 * undefined while the register has no eHerkenning (the claim form is the way then).
 */
export function eherkenningClaimUrl(config: Config): string | undefined {
  return config.eherkenning ? paths.eherkenning : undefined;
}
