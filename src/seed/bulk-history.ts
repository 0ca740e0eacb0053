import { actorOf } from '../audit/actor';
import { randomUUID } from 'node:crypto';
import type { ApplicationMessage } from '../application/application-message.entity';
import type { Application } from '../application/application.entity';
import type { Evidence, EvidenceKind } from '../application/evidence.entity';
import type { AuditEntry } from '../audit/audit.service';
import type { User } from '../identity/user.entity';
import type { Provider } from '../provider/provider.entity';
import { JOB_ACTOR } from '../jobs/daily-jobs';
import { addDays, addMonths, startOfLocalDay, toLocalDate } from '../shared/time';
import { sha256Hex } from '../shared/tokens';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import type { StatusEvent } from '../status/status-event.entity';
import { toCodeVersionFact } from '../status/status-history';
import { codeVersionLapsesAt, type StatusEventKind, type StatusFact, statusAt } from '../status/status-rules';
import { nightAfter, officeHoursOn } from './demo-calendar';
import { simplePdf } from './demo-pdf';

/*
 * One bulk provider's history, planned as the rows the services would have written had its people
 * done it by hand: registration (provider, its user), an application with both pieces of evidence,
 * a reviewer's approval on the code version current when the code was signed, and sometimes a
 * suspension or revocation, each at its own moment (in office hours) with its audit event; and the
 * expiries and version lapses the daily work records the night after they took effect. Only the
 * writing is bulk; the rows are the services' and the daily work's rows.
 */

/** What bulk reviewers write when they suspend or revoke: invented, as a reviewer would put it. */
const SUSPENSION_REASONS = [
  'Abuse-meldingen over phishing bleven langer open dan de afgesproken termijn.',
  'Abuse-contact reageerde drie weken niet op meldingen van het AAN.',
  'Onderzoek naar een reseller-klant die herhaaldelijk spam verstuurde.',
  'Meldingen over een botnet-server zijn niet binnen vijf werkdagen afgehandeld.',
];
const REVOCATION_REASONS = [
  'Bewust diensten blijven leveren aan een bekende malafide reseller.',
  'Herhaaldelijk geen gevolg gegeven aan meldingen van ransomware-infrastructuur.',
  'De ondertekening van de gedragscode bleek niet door een bevoegd persoon te zijn gedaan.',
];

const MINUTE = 60_000;

export interface BulkRows {
  providers: Provider[];
  users: User[];
  applications: Application[];
  evidence: Evidence[];
  messages: Partial<ApplicationMessage>[];
  /** Each with the audit entry to append once the event has its id. */
  events: { event: Partial<StatusEvent>; audit: AuditEntry }[];
  audit: AuditEntry[];
}

export const emptyRows = (): BulkRows => ({
  providers: [],
  users: [],
  applications: [],
  evidence: [],
  messages: [],
  events: [],
  audit: [],
});

export interface BulkCast {
  reviewers: User[];
  /** The code versions, oldest first. */
  versions: CodeOfConductVersion[];
  /** One hash for every bulk user: of a random password nobody knows. */
  passwordHash: string;
  now: Date;
  random: () => number;
}

/** The provider's identity, as its registration form would give it. */
export type BulkIdentity = Pick<
  Provider,
  'kvkNumber' | 'legalName' | 'tradeNames' | 'streetAddress' | 'postcode' | 'city' | 'website' | 'abuseEmail'
>;

/** The version a code signed at `signedAt` is of: the newest published by then. */
function versionAt(versions: CodeOfConductVersion[], signedAt: Date): CodeOfConductVersion | undefined {
  return versions.findLast((v) => v.publishedAt.getTime() <= signedAt.getTime());
}

/** Plans one provider's history into `rows`. */
export function planBulkProvider(rows: BulkRows, identity: BulkIdentity, cast: BulkCast): void {
  const { now, random } = cast;
  const firstEvent = rows.events.length;
  const roll = random();
  const reviewer = cast.reviewers[Math.floor(random() * cast.reviewers.length)]!;
  // Everything happens in office hours: decisions between 9:00 and 17:00, submissions from 9:30.
  const approvedAt = officeHoursOn(addMonths(now, -(1 + Math.floor(random() * 20))), random() * 480);
  // Never listed (5 %): registered some time ago. Pending (5 %): applied in the last four weeks.
  const submittedAt = officeHoursOn(
    roll < 0.1 ? addDays(now, -(1 + Math.floor(random() * 27))) : addDays(approvedAt, -14),
    30 + random() * 420,
  );
  const registeredAt = addDays(submittedAt, -7);
  const version = versionAt(cast.versions, addDays(submittedAt, -6));

  const providerId = randomUUID();
  const userId = randomUUID();
  const email = identity.abuseEmail.replace(/^abuse@/, 'contact@');
  rows.providers.push({
    ...identity,
    id: providerId,
    vatNumber: null,
    asNumbers: [],
    identityConfirmedAt: null,
    identityConfirmedBy: null,
    identityConfirmedHow: null,
    createdAt: registeredAt,
    updatedAt: registeredAt,
  });
  rows.users.push({
    id: userId,
    email,
    name: `Contact ${identity.legalName}`,
    role: 'provider',
    providerId,
    passwordHash: cast.passwordHash,
    emailVerifiedAt: registeredAt,
    createdAt: registeredAt,
    updatedAt: registeredAt,
  } as User);
  const audit = (occurredAt: Date, actor: string, action: string, subject: [string, string], data = {}) =>
    rows.audit.push({ occurredAt, actor, action, subjectType: subject[0], subjectId: subject[1], data });
  const user = actorOf({ id: userId, role: 'provider' });
  audit(registeredAt, user, 'provider.created', ['provider', providerId], { ...identity });
  rows.audit.push({
    occurredAt: registeredAt,
    actor: user,
    action: 'user.created',
    subjectType: 'user',
    subjectId: userId,
    data: { role: 'provider', providerId },
    personal: { email },
  });
  const confirm = (at: Date, data: Record<string, unknown>) => {
    const provider = rows.providers.at(-1)!;
    Object.assign(provider, {
      identityConfirmedAt: at,
      identityConfirmedBy: actorOf(reviewer),
      identityConfirmedHow: 'reviewer',
    });
    audit(at, actorOf(reviewer), 'provider.identity_confirmed', ['provider', providerId], data);
  };
  if (roll < 0.05 || !version) {
    confirm(addDays(registeredAt, 1), { kvkNumber: identity.kvkNumber });
    return;
  }

  // The application: started, filled in, two pieces of evidence, submitted.
  const applicationId = randomUUID();
  const startedAt = new Date(submittedAt.getTime() - 30 * MINUTE);
  const form = {
    codeOfConductVersionId: version.id,
    codeSignedOn: toLocalDate(addDays(submittedAt, -6)),
    signatoryName: `Directie ${identity.legalName}`,
    signatoryRole: 'Directeur',
    aanSince: toLocalDate(addMonths(submittedAt, -6)),
    aanContactName: 'Abuse-team',
    aanContactEmail: identity.abuseEmail,
  };
  const decided = roll >= 0.1;
  const application = {
    id: applicationId,
    providerId,
    kind: 'listing',
    state: decided ? 'approved' : 'submitted',
    ...form,
    submittedAt,
    decidedAt: decided ? approvedAt : null,
    decidedBy: decided ? reviewer.id : null,
    reviewerId: decided ? reviewer.id : null,
    // Started (1), saved (2), submitted (3), approved (4).
    version: decided ? 4 : 3,
    createdBy: userId,
    createdAt: startedAt,
    updatedAt: decided ? approvedAt : submittedAt,
  } as Application;
  rows.applications.push(application);
  const onApplication: [string, string] = ['application', applicationId];
  audit(startedAt, user, 'application.created', onApplication, { providerId, kind: 'listing' });
  const { signatoryName, aanContactName, aanContactEmail, ...facts } = form;
  rows.audit.push({
    occurredAt: new Date(startedAt.getTime() + 5 * MINUTE),
    actor: user,
    action: 'application.saved',
    subjectType: 'application',
    subjectId: applicationId,
    data: facts,
    personal: { signatoryName, aanContactName, aanContactEmail },
  });
  (['code_of_conduct', 'aan_confirmation'] as EvidenceKind[]).forEach((kind, i) => {
    const content = simplePdf(`${kind === 'code_of_conduct' ? 'Gedragscode' : 'AAN'}: ${identity.legalName}`);
    const uploadedAt = new Date(startedAt.getTime() + (10 + 5 * i) * MINUTE);
    const evidence = {
      id: randomUUID(),
      applicationId,
      kind,
      filename: `${kind}.pdf`,
      size: content.length,
      sha256: sha256Hex(content),
      content,
      uploadedBy: userId,
      createdAt: uploadedAt,
    } as Evidence;
    rows.evidence.push(evidence);
    const { id: evidenceId, filename, size, sha256 } = evidence;
    audit(uploadedAt, user, 'evidence.uploaded', onApplication, {
      evidenceId,
      kind,
      filename,
      size,
      sha256,
    });
  });
  rows.messages.push({
    applicationId,
    kind: 'submitted',
    authorId: userId,
    body: null,
    createdAt: submittedAt,
  });
  statusEvent(rows, {
    providerId,
    kind: 'application_submitted',
    at: submittedAt,
    actor: user,
    applicationId,
  });
  audit(submittedAt, user, 'application.submitted', onApplication);
  if (!decided) {
    confirm(addDays(registeredAt, 1), { kvkNumber: identity.kvkNumber });
    return;
  }

  rows.messages.push({
    applicationId,
    kind: 'approved',
    authorId: reviewer.id,
    body: null,
    createdAt: approvedAt,
  });
  statusEvent(rows, {
    providerId,
    kind: 'listing_approved',
    at: approvedAt,
    actor: actorOf(reviewer),
    applicationId,
    validUntil: addMonths(approvedAt, 12),
    codeOfConductVersionId: version.id,
    codeSignedOn: form.codeSignedOn,
    aanSince: startOfLocalDay(form.aanSince),
  });
  confirm(approvedAt, { applicationId });
  audit(approvedAt, actorOf(reviewer), 'application.approve', onApplication, {
    message: null,
    state: 'approved',
  });

  // Revoked (5 %) two months after approval, or suspended (5 %) after one, when that moment has come.
  const pickReason = (reasons: string[]) => reasons[Math.floor(random() * reasons.length)]!;
  const [kind, after, reason] =
    roll > 0.95
      ? (['revoked', 60, pickReason(REVOCATION_REASONS)] as const)
      : roll > 0.9
        ? (['suspended', 30, pickReason(SUSPENSION_REASONS)] as const)
        : [];
  const at = kind && officeHoursOn(addDays(approvedAt, after), random() * 480);
  if (kind && at && at.getTime() < now.getTime())
    statusEvent(rows, { providerId, kind, at, actor: actorOf(reviewer), reason });
  recordNightlyEndings(rows, firstEvent, providerId, cast);
}

/**
 * The expiry and the version lapse of the provider's listing as the daily work records them: at
 * the instant the rules count from, recorded by `jobs:daily` on the first night after it (when that
 * night has come), if the provider's status then is that ending (`recordEndings` does the same).
 */
function recordNightlyEndings(rows: BulkRows, firstEvent: number, providerId: string, cast: BulkCast): void {
  const planned = rows.events.slice(firstEvent).map((e) => e.event);
  const approval = planned.find((e) => e.kind === 'listing_approved');
  if (!approval?.validUntil) return;
  const history = planned.map((e, sequence) => ({ ...e, sequence }) as StatusFact);
  const versions = cast.versions.map(toCodeVersionFact);
  const version = versions.find((v) => v.id === approval.codeOfConductVersionId);
  const lapse = version && codeVersionLapsesAt(version, versions);
  const endings: [StatusEventKind, Date | undefined][] = [
    ['code_of_conduct_lapsed', lapse],
    ['listing_expired', approval.validUntil],
  ];
  for (const [kind, at] of endings.sort((a, b) => (a[1]?.getTime() ?? 0) - (b[1]?.getTime() ?? 0))) {
    if (!at) continue;
    const night = nightAfter(at);
    if (night.getTime() > cast.now.getTime()) continue;
    const status = statusAt(history, versions, night);
    const reason = kind === 'listing_expired' ? 'expired' : 'code_of_conduct_outdated';
    if (status.verantwoord || status.reason !== reason || status.since?.getTime() !== at.getTime()) continue;
    statusEvent(rows, { providerId, kind, at, recordedAt: night, actor: JOB_ACTOR });
  }
}

function statusEvent(
  rows: BulkRows,
  input: { providerId: string; kind: StatusEventKind; at: Date; actor: string } & Partial<StatusEvent>,
): void {
  const { at, recordedAt = at, ...rest } = input;
  const event: Partial<StatusEvent> = {
    reason: null,
    validUntil: null,
    codeOfConductVersionId: null,
    codeSignedOn: null,
    aanSince: null,
    suspendedUntil: null,
    applicationId: null,
    ...rest,
    effectiveAt: at,
    recordedAt,
  };
  rows.events.push({
    event,
    audit: {
      occurredAt: recordedAt,
      actor: input.actor,
      action: `status.${input.kind}`,
      subjectType: 'provider',
      subjectId: input.providerId,
    },
  });
}
