import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import type { Provider } from '../provider/provider.entity';
import {
  type AttestationSummary,
  attestationSummaryFromJson,
  providerFromJson,
} from '../register/provider.queries';
import { type ProviderDetail, providerDetailById } from '../register/provider.service';
import { ConflictError, NotFoundError } from '../shared/errors';
import { toLocalDate } from '../shared/time';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import type { StatusEvent } from '../status/status-event.entity';
import { codeVersionFromJson, statusEventFromJson } from '../status/status-history.queries';
import { statusAt } from '../status/status-rules';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status-history';
import { recordAttestationEvent, watchedConfirmedProvider } from '../status/watch-detection';
import { Attestation } from './attestation.entity';
import { historyChangedSince, nextAttestationSequence, verificationRow } from './attestation.queries';
import { type AttestationData, fingerprintOf, renderAttestationPdf } from './attestation.pdf';
import { attestationStatusAt, type AttestationStatus, attestationValidUntil } from './attestation-rules';
import { type Keyring, signatureField, signPdf } from './signing';

export const REGISTER_NAME = 'Register Verantwoorde Hostingproviders';

/** Who issues an attestation: the organisation that keeps the register and its contact address (settings). */
export interface AttestationIssuer {
  organisation: string;
  contact: string;
}

/** The issuer the settings name now. */
export const issuerOf = (settings: {
  organisationName: string;
  contactEmail: string;
}): AttestationIssuer => ({
  organisation: settings.organisationName,
  contact: settings.contactEmail,
});

/** `VHP-<year>-<6 digits>`: the year of issue in the Netherlands and the sequence number. */
export function attestationNumber(issuedAt: Date, sequence: number): string {
  return `VHP-${toLocalDate(issuedAt).slice(0, 4)}-${String(sequence).padStart(6, '0')}`;
}

export const isAttestationNumber = (value: unknown): value is string =>
  typeof value === 'string' && /^VHP-[0-9]{4}-[0-9]{6}$/.test(value);

export const verificationPath = (number: string) => `/verificatie/${number}`;

/** Thrown when an attestation is asked for a provider that is not verantwoord at that moment. */
export class NotVerantwoordError extends ConflictError {
  constructor() {
    super('attestation.notVerantwoord');
  }
}

/**
 * Issues an attestation for a provider that is verantwoord at `now`: takes the next number, renders
 * and signs the PDF, then stores it with its hashes and an audit event in one transaction, after
 * checking the status once more inside it. The PDF is made once and never again.
 */
export async function issueAttestation(
  dataSource: DataSource,
  input: {
    providerId: string;
    actor: string;
    publicBaseUrl: string;
    keyring: Keyring;
    /** Who issues it and where to ask about it, as printed on it: the settings' organisation and contact address. */
    issuer: AttestationIssuer;
  },
  now: Date,
): Promise<Attestation> {
  const [detail, n] = await Promise.all([
    providerDetailById(dataSource, input.providerId, now),
    nextAttestationSequence(dataSource),
  ]);
  const { provider, status } = detail;
  if (!status.verantwoord) throw new NotVerantwoordError();
  const approval = detail.history.find(
    (e) => e.kind === 'listing_approved' && e.effectiveAt.getTime() === status.listing.approvedAt.getTime(),
  );
  if (!approval) throw new Error(`listing of provider ${provider.id} has no approval event`);
  const version = detail.codeVersions.find(
    (v) => v.id === status.listing.codeOfConductVersionId,
  ) as CodeOfConductVersion;
  // What the status was computed from: if anything is recorded in the meantime, look again.
  const latestEvent = String(detail.history.reduce((max, e) => Math.max(max, Number(e.id)), 0));
  const versionCount = detail.codeVersions.length;

  const number = attestationNumber(now, n);
  const { issuer } = input;
  const validUntil = attestationValidUntil(
    status.listing,
    detail.history.map(toStatusFact),
    detail.codeVersions.map(toCodeVersionFact),
    now,
  );
  const data: AttestationData = {
    nummer: number,
    register: REGISTER_NAME,
    hostingprovider: {
      naam: provider.legalName,
      kvkNummer: provider.kvkNumber,
      adres: `${provider.streetAddress}, ${provider.postcode} ${provider.city}`,
    },
    gedragscode: {
      versie: version.label,
      ondertekendOp: approval.codeSignedOn ?? toLocalDate(approval.effectiveAt),
    },
    aanDeelnameSinds: toLocalDate(status.listing.aanSince),
    statusBijAfgifte: 'verantwoord',
    afgegevenOp: now.toISOString(),
    geldigVanaf: now.toISOString(),
    geldigTot: validUntil.toISOString(),
    verificatieUrl: `${input.publicBaseUrl}${verificationPath(number)}`,
    uitgever: { organisatie: issuer.organisation, contact: issuer.contact },
  };
  const fingerprint = fingerprintOf(data);
  const identity = await input.keyring();
  const pdf = await signPdf(
    await renderAttestationPdf(data, fingerprint, signatureField(identity, now, issuer.contact)),
    identity,
  );
  const pdfSha256 = createHash('sha256').update(pdf).digest('hex');

  return dataSource.transaction(async (manager) => {
    // A decision may have landed while the PDF was being made: if the provider's history or the
    // code versions changed since they were read, compute the status again inside the transaction.
    if (await historyChangedSince(manager, provider.id, latestEvent, versionCount)) {
      // One after the other: a transaction's connection runs one query at a time.
      const versions = await loadCodeVersions(manager);
      const histories = await loadHistories(manager, [provider.id]);
      const again = statusAt(
        (histories.get(provider.id) ?? []).map(toStatusFact),
        versions.map(toCodeVersionFact),
        now,
      );
      if (!again.verantwoord) throw new NotVerantwoordError();
    }
    const attestation = manager.create(Attestation, {
      number,
      providerId: provider.id,
      issuedAt: now,
      validUntil,
      issuedBy: input.actor,
      listingEventId: approval.id,
      data,
      fingerprint,
      pdf,
      pdfSha256,
    });
    await manager.insert(Attestation, attestation);
    await appendAuditEvent(manager, now, {
      actor: input.actor,
      action: 'attestation.issued',
      subjectType: 'attestation',
      subjectId: attestation.id,
      data: {
        number,
        providerId: provider.id,
        validUntil: validUntil.toISOString(),
        fingerprint,
        pdfSha256,
      },
    });
    // Buyers who watch the provider hear of the new attestation (issue 18), in this transaction.
    const watched = await watchedConfirmedProvider(manager, provider.id);
    if (watched) await recordAttestationEvent(manager, watched, attestation, null, 'valid', now, now);
    delete attestation.pdf;
    return attestation;
  });
}

export interface AttestationAnswer {
  attestation: AttestationSummary;
  provider: Provider;
  status: AttestationStatus;
  /** The reviewer's explanation on the event that changed the status, if any. */
  causeReason: string | null;
}

function answerFor(
  attestation: AttestationSummary,
  provider: Provider,
  history: StatusEvent[],
  versions: CodeOfConductVersion[],
  now: Date,
): AttestationAnswer {
  const status = attestationStatusAt(
    attestation,
    history.map(toStatusFact),
    versions.map(toCodeVersionFact),
    now,
  );
  const causeEvent = status.cause ? history.find((e) => Number(e.id) === status.cause?.sequence) : undefined;
  return { attestation, provider, status, causeReason: causeEvent?.reason ?? null };
}

/**
 * One attestation by number with its status now; NotFoundError when the register never issued it
 * (or, which cannot happen through the app, issued it to a provider whose identity is unconfirmed).
 */
export async function verifyAttestation(
  dataSource: DataSource,
  number: string,
  now: Date,
): Promise<AttestationAnswer> {
  const row = isAttestationNumber(number) ? await verificationRow(dataSource, number) : undefined;
  if (!row) throw new NotFoundError(`no attestation ${number}`);
  return answerFor(
    attestationSummaryFromJson(row.attestation),
    providerFromJson(row.provider),
    row.events.map(statusEventFromJson),
    row.versions.map(codeVersionFromJson),
    now,
  );
}

/** The attestation whose issued PDF has this SHA-256 (hex), if any. */
export async function attestationBySha256(
  dataSource: DataSource,
  sha256: string,
): Promise<Attestation | null> {
  return dataSource.getRepository(Attestation).findOneBy({ pdfSha256: sha256 });
}

/** An uploaded PDF's relation to the attestations issued: which one, and how many bytes follow its signed end. */
export interface UploadMatch {
  attestation: Attestation;
  /** 0: the file is exactly the issued PDF; more: the issued PDF with this many bytes appended. */
  appendedBytes: number;
}

/** A file with more signatures than this is not looked at further than its first few signed ends. */
const MAX_SIGNED_ENDS = 8;

/**
 * The attestation an uploaded PDF is, byte for byte, or begins with. An issued attestation is
 * signed over the whole file; a reader that appends an incremental update (a form filled in, an
 * annotation, a second signature) or anything else after its end leaves the signed part intact, so
 * the file up to a signature's signed end is compared too. Null when no issued PDF matches.
 */
export async function attestationOfUpload(
  dataSource: DataSource,
  upload: { sha256: string; size: number; prefixHashes: ReadonlyMap<number, string> },
): Promise<UploadMatch | null> {
  const exact = await attestationBySha256(dataSource, upload.sha256);
  if (exact) return { attestation: exact, appendedBytes: 0 };
  const candidates = new Map(
    [...upload.prefixHashes]
      .filter(([end]) => end < upload.size)
      .slice(0, MAX_SIGNED_ENDS)
      .map(([end, sha256]) => [sha256, end]),
  );
  if (candidates.size === 0) return null;
  const found = await dataSource
    .getRepository(Attestation)
    .createQueryBuilder('a')
    .where('a.pdf_sha256 IN (:...hashes)', { hashes: [...candidates.keys()] })
    .getMany();
  const first = found
    .map((attestation) => ({ attestation, end: candidates.get(attestation.pdfSha256) ?? upload.size }))
    .sort((x, y) => x.end - y.end)[0];
  return first ? { attestation: first.attestation, appendedBytes: upload.size - first.end } : null;
}

/**
 * The stored PDF of an attestation, exactly as issued. The PDF is public (anyone with the number
 * may fetch it), so an anonymous download is not recorded; a staff member's is (`seenBy`): an audit
 * event in the same transaction as the read, and no PDF when the event cannot be written.
 */
export async function attestationPdf(
  dataSource: DataSource,
  number: string,
  seenBy?: { actor: string; now: Date },
): Promise<Buffer> {
  if (!isAttestationNumber(number)) throw new NotFoundError('no attestation with this number');
  return dataSource.transaction(async (manager) => {
    const row = await manager
      .getRepository(Attestation)
      .createQueryBuilder('a')
      .addSelect('a.pdf')
      .where('a.number = :number', { number })
      // The public download is of a confirmed organisation only (issue 17); staff download any.
      .andWhere(
        seenBy
          ? 'true'
          : 'EXISTS (SELECT 1 FROM providers p WHERE p.id = a.provider_id AND p.identity_confirmed_at IS NOT NULL)',
      )
      .getOne();
    if (!row?.pdf) throw new NotFoundError(`no attestation ${number}`);
    if (seenBy) {
      await appendAuditEvent(manager, seenBy.now, {
        actor: seenBy.actor,
        action: 'attestation.downloaded',
        subjectType: 'attestation',
        subjectId: row.id,
        data: { number, providerId: row.providerId, pdfSha256: row.pdfSha256 },
      });
    }
    return row.pdf;
  });
}

/** A provider's attestations (newest first) with their status at `now`, from its already loaded detail. */
export function providerAttestationAnswers(detail: ProviderDetail, now: Date): AttestationAnswer[] {
  return detail.attestations.map((a) =>
    answerFor(a, detail.provider, detail.history, detail.codeVersions, now),
  );
}
