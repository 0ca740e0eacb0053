import type { DataSource } from 'typeorm';
import { openReviewTasks } from '../aan/aan-import.service';
import { attestationView } from '../attestation/attestation.view';
import { providerAttestationAnswers } from '../attestation/attestation.service';
import type { User } from '../identity/user.entity';
import { type ClaimApprovalPreview, openClaims } from '../identity/claim.service';
import {
  lastHandOver,
  type OrganisationAccount,
  organisationAccounts,
  provenByEherkenning,
} from '../identity/organisation-accounts';
import { providerExtracts } from '../identity/kvk-extract';
import { providerDetail } from '../register/provider.service';
import { historyRows, statusView } from '../register/provider.view';
import { paths } from '../shared/paths';
import { providerSignalSection } from '../signals/signal-review';
import type { StatusEvent } from '../status/status-event.entity';
import type { StatusAt } from '../status/status-rules';
import { isPeildatum, toLocalDate } from '../shared/time';
import { formValues, repeatedFields } from '../shared/validation';
import { providerStatusActions } from './application-rules';
import {
  type DossierApplication,
  type KnownAtAnswer,
  type Person,
  providerDossier,
  statusOnDateKnownAt,
} from './dossier.service';

/** The fields of the staff page's two GET forms: the peildatum question and the dossier period. */
export const STAFF_PAGE_FIELDS = ['peildatum', 'bekendOp', 'van', 'tot'] as const;
type StaffPageField = (typeof STAFF_PAGE_FIELDS)[number];
export type StaffPageValues = Record<StaffPageField, string>;

/** What the staff page's query asks: the typed values, and the fields given more than once. */
export interface StaffPageQuery {
  values: StaffPageValues;
  repeated: readonly StaffPageField[];
}

/**
 * The errors of the staff page's GET fields: a date given twice or that is no date, a known-on day
 * without its peildatum, a period that starts in the future or ends before it starts. A peildatum
 * in the future is no error: it gets the answer that the day has not come yet.
 */
export function staffPageErrors(query: StaffPageQuery, now: Date): Record<string, string> {
  const { values } = query;
  const errors: Record<string, string> = {};
  for (const field of STAFF_PAGE_FIELDS) {
    if (query.repeated.includes(field)) errors[field] = 'validation.repeatedDate';
    else if (values[field] && !isPeildatum(values[field])) errors[field] = 'validation.date';
  }
  if (values.bekendOp && !values.peildatum && !errors.bekendOp)
    errors.peildatum = 'dossier.peildatumRequired';
  if (values.van && !errors.van && values.van > toLocalDate(now)) errors.van = 'dossier.periodInFuture';
  if (values.van && values.tot && !errors.van && !errors.tot && values.van > values.tot)
    errors.tot = 'dossier.periodReversed';
  return errors;
}

export function staffPageQuery(query: unknown): StaffPageQuery {
  const repeated = repeatedFields(query, STAFF_PAGE_FIELDS);
  const source = query && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  // A repeated field keeps its first value in the form, next to the message about the second.
  const firsts = Object.fromEntries(
    repeated.map((field) => [field, (source[field] as unknown[]).find((v) => typeof v === 'string')]),
  );
  const values = formValues({ ...source, ...firsts }, STAFF_PAGE_FIELDS);
  for (const field of STAFF_PAGE_FIELDS) values[field] = values[field].trim().slice(0, 20);
  return { values, repeated };
}

const personView = (p: Person) =>
  p.erased
    ? { nameKey: 'audit.erasedUser', roleKey: 'audit.erasedUser' }
    : {
        name: p.name ?? p.actor,
        email: p.name ? p.actor : undefined,
        roleKey: p.role ? `roles.${p.role}` : 'dossier.systemActor',
      };

function applicationView(a: DossierApplication) {
  return {
    id: a.id,
    anchor: `aanvraag-${a.id}`,
    url: paths.reviewApplication(a.id),
    kindKey: `application.kind.${a.kind}`,
    stateKey: `application.state.${a.state}`,
    createdAt: a.createdAt,
    submittedAt: a.submittedAt,
    decidedAt: a.decidedAt,
    decider: a.decider ? personView(a.decider) : undefined,
    evidence: a.evidence.map((e) => ({
      id: e.id,
      filename: e.filename,
      kindKey: `evidence.kind.${e.kind}`,
      size: e.size,
      sha256: e.sha256,
      uploadedAt: e.createdAt,
      uploader: personView(e.uploader),
      url: paths.evidence(a.id, e.id),
    })),
    messages: a.messages.map((m) => ({ ...m, author: personView(m.author) })),
  };
}

/** How the grounds column names an event's application: a submission or withdrawal is no decision. */
function groundsKey(kind: StatusEvent['kind']): string {
  if (kind === 'application_submitted') return 'dossier.grounds.submitted';
  if (kind === 'application_withdrawn') return 'dossier.grounds.withdrawn';
  if (kind === 'listing_approved' || kind === 'application_rejected') return 'dossier.grounds.decided';
  return 'dossier.grounds.other';
}

function knownAtView(answer: KnownAtAnswer) {
  if (answer.kind !== 'answer') return answer;
  return {
    ...answer,
    view: statusView(answer.status),
    nowKnownView: answer.nowKnown ? statusView(answer.nowKnown) : undefined,
    laterRecords: answer.laterRecords.map((e) => ({
      id: e.id,
      kindKey: `statusEvent.kind.${e.kind}`,
      effectiveAt: e.effectiveAt,
      recordedAt: e.recordedAt,
    })),
  };
}

/**
 * The history row an answer rests on, so that the answer itself says who decided, why and on what
 * evidence: for "not verantwoord", the change that brought the reason about; for "verantwoord", the
 * approval of the listing in force. None when no recorded change explains it (never listed).
 */
function answerGrounds<Row extends { id: string; effectiveAt: Date; kindKey: string }>(
  status: StatusAt,
  history: readonly Row[],
): Row | undefined {
  if (status.verantwoord) {
    const approvedAt = status.listing.approvedAt.getTime();
    return history.find(
      (row) =>
        row.kindKey === 'statusEvent.kind.listing_approved' && row.effectiveAt.getTime() === approvedAt,
    );
  }
  const cause = status.cause;
  return cause ? history.find((row) => row.id === String(cause.sequence)) : undefined;
}

const groundsView = <Row extends { application?: unknown; approval?: unknown }>(row: Row | undefined) =>
  row && { ...row, hasGrounds: !!(row.application || row.approval) };

/**
 * One row of the staff page's accounts: how the account came, its state, and its audit events —
 * a link to them for those who may read the audit log (auditors, administrators), else the count.
 */
function accountView(a: OrganisationAccount, viewer: User) {
  const readsAudit = viewer.role === 'auditor' || viewer.role === 'admin';
  return {
    ...a,
    originKey: `organisationAccounts.origin.${a.origin}`,
    eventsUrl: readsAudit
      ? `${paths.auditLog}?${new URLSearchParams({ door: `provider:${a.id}` }).toString()}`
      : undefined,
  };
}

/**
 * The confirmation page of a claim's approval: who claims, whether the organisation is verified
 * (how, when), its status today, and the accounts that lose access. Stores nothing.
 */
export async function claimConfirmationModel(
  dataSource: DataSource,
  preview: ClaimApprovalPreview,
  now: Date,
) {
  const detail = await providerDetail(dataSource, preview.claim.kvkNumber, now, { unconfirmed: true });
  const { provider } = detail;
  return {
    title: 'claim.confirm.title',
    organisation: provider.legalName,
    kvkNumber: provider.kvkNumber,
    claim: preview.claim,
    verified: provider.identityConfirmedAt
      ? {
          at: provider.identityConfirmedAt,
          howKey: `identity.how.${provider.identityConfirmedHow ?? 'reviewer'}`,
        }
      : undefined,
    status: statusView(detail.status, undefined, detail.aanEndsAt),
    losingAccess: preview.losingAccess.map((a) => ({
      ...a,
      originKey: `organisationAccounts.origin.${a.origin}`,
    })),
    handOver: preview.lastHandOver && {
      ...preview.lastHandOver,
      howKey: `claim.handedOverHow.${preview.lastHandOver.how}`,
    },
    extractAlsoFor: preview.extractAlsoFor.join(', '),
    formAction: paths.reviewClaimDecision(preview.claim.id),
    backUrl: `${paths.reviewProvider(provider.kvkNumber)}#claims`,
  };
}

/**
 * The staff page of one provider: status, actions for reviewers, attestations, and the dossier —
 * every status change with who decided, the application and the evidence it rests on, a peildatum
 * question (optionally as known on an earlier day) and the dossier export form.
 */
export async function staffProviderModel(
  dataSource: DataSource,
  kvkNumber: string,
  user: User,
  now: Date,
  query: StaffPageQuery = staffPageQuery({}),
) {
  const { values } = query;
  const detail = await providerDetail(dataSource, kvkNumber, now, { unconfirmed: true });
  const dossier = await providerDossier(dataSource, detail);
  const tasks = await openReviewTasks(dataSource, detail.provider.id);
  const attestations = providerAttestationAnswers(detail, now).map(attestationView);
  const errors = staffPageErrors(query, now);
  const [extracts, claims, accounts, handOver, eherkenningProof, signals] = await Promise.all([
    providerExtracts(dataSource.manager, detail.provider.id),
    openClaims(dataSource.manager, detail.provider.id),
    organisationAccounts(dataSource.manager, detail.provider.id),
    lastHandOver(dataSource.manager, detail.provider.id),
    provenByEherkenning(dataSource.manager, detail.provider.id),
    providerSignalSection(dataSource, detail.provider.id, now),
  ]);
  const extractView = (x: { id: string; sha256: string }) => ({
    ...x,
    url: paths.reviewExtract(x.id),
    sha256Prefix: x.sha256.slice(0, 12),
  });
  const rows = historyRows(detail.history, detail.codeVersions, now);
  const applications = new Map(dossier.applications.map((a) => [a.id, applicationView(a)]));
  // From every status change one click to the application, its decision and its evidence.
  const history = dossier.changes.map((change, i) => ({
    ...rows[i]!,
    applicationUrl: change.event.applicationId
      ? paths.reviewApplication(change.event.applicationId)
      : undefined,
    decider: personView(change.decider),
    groundsKey: groundsKey(change.event.kind),
    application: change.application ? applications.get(change.application.id) : undefined,
    approval: change.approval
      ? {
          effectiveAt: change.approval.event.effectiveAt,
          application: change.approval.application
            ? applications.get(change.approval.application.id)
            : undefined,
        }
      : undefined,
  }));
  const answer =
    values.peildatum && !errors.peildatum && !errors.bekendOp
      ? statusOnDateKnownAt(detail, values.peildatum, values.bekendOp || undefined, now)
      : undefined;
  const dateAnswer = answer && {
    ...knownAtView(answer),
    grounds: answer.kind === 'answer' ? groundsView(answerGrounds(answer.status, history)) : undefined,
  };
  return {
    title: 'review.providerTitle',
    provider: detail.provider,
    status: statusView(detail.status, undefined, detail.aanEndsAt),
    history,
    applications: [...applications.values()],
    actions: providerStatusActions(detail.status).map((value) => ({
      value,
      labelKey: `review.providerAction.${value}`,
    })),
    attestations,
    identityUnconfirmed: !detail.provider.identityConfirmedAt,
    /** The provider's open review tasks (a list difference, a name that resembles a verified one). */
    tasks,
    /** Its signal matches answered in time or not (issue 19): figures, signal numbers, no content. */
    signals,
    identityConfirmed: detail.provider.identityConfirmedAt
      ? {
          at: detail.provider.identityConfirmedAt,
          howKey: `identity.how.${detail.provider.identityConfirmedHow ?? 'reviewer'}`,
        }
      : undefined,
    // The KvK extracts a reviewer checked (staff download them; they are never public).
    extracts: extracts.map(extractView),
    // Claims of the organisation by whoever says they represent it, waiting for a reviewer.
    claims: claims.map((c) => ({
      ...c,
      extracts: c.extracts.map((x) => ({ ...extractView(x), alsoForKvk: x.alsoForKvk.join(', ') })),
      decisionUrl: paths.reviewClaimDecision(c.id),
    })),
    // A claim cannot take an organisation eHerkenning proved: the reviewer may only reject it.
    claimsBlockedByEherkenning: eherkenningProof,
    // Open claims after a hand-over: approving one hands the organisation over again.
    handOver: handOver && { ...handOver, howKey: `claim.handedOverHow.${handOver.how}` },
    // Every account of the organisation, current and former (personal data: staff only).
    accounts: accounts.map((a) => accountView(a, user)),
    canDecideClaims: user.role === 'reviewer' && user.providerId !== detail.provider.id,
    // Never for the reviewer's own organisation, as with every other decision.
    confirmIdentityAction:
      user.role === 'reviewer' &&
      !detail.provider.identityConfirmedAt &&
      user.providerId !== detail.provider.id
        ? paths.reviewProviderIdentity(kvkNumber)
        : undefined,
    // Reviewers issue attestations; the button is there only while the provider is verantwoord.
    issueAction:
      user.role === 'reviewer' && detail.status.verantwoord ? paths.reviewAttestations(kvkNumber) : undefined,
    issueBlockedKey: user.role === 'reviewer' ? 'attestation.issueBlocked' : undefined,
    pageUrl: paths.reviewProvider(kvkNumber),
    dossierUrl: paths.reviewProviderDossier(kvkNumber),
    publicUrl: detail.provider.identityConfirmedAt ? paths.provider(kvkNumber) : undefined,
    dateAnswer,
    values,
    errors,
    errorList: Object.entries(errors).map(([field, key]) => ({ field, key, anchor: `field-${field}` })),
  };
}
