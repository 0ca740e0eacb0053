import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { entityFromJson, preparedQuery } from '../database/json-rows';
import { Provider } from '../provider/provider.entity';
import { type ProviderDetail, providerDetailById } from '../register/provider.service';
import { ConflictError, NotFoundError } from '../shared/errors';
import { addMonths, toLocalDate } from '../shared/time';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import { statusAt } from '../status/status-rules';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status-history';
import { Attestation } from './attestation.entity';
import { type AttestationData, fingerprintOf, renderAttestationPdf } from './attestation.pdf';
import { attestationStatusAt, type AttestationStatus } from './attestation-rules';
import { type Keyring, signPdf } from './signing';

export const REGISTER_NAME = 'Register Verantwoorde Hostingproviders';
/** An attestation is valid for at most this long, and never beyond the listing (design §3). */
export const ATTESTATION_MONTHS = 12;

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
  input: { providerId: string; actor: string; publicBaseUrl: string; keyring: Keyring },
  now = new Date(),
): Promise<Attestation> {
  const [detail, [{ n }]] = await Promise.all([
    providerDetailById(dataSource, input.providerId, now),
    dataSource.query(`SELECT nextval('attestation_number_seq')::int AS n`) as Promise<{ n: number }[]>,
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
  const validUntil = new Date(
    Math.min(status.listing.validUntil.getTime(), addMonths(now, ATTESTATION_MONTHS).getTime()),
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
  };
  const fingerprint = fingerprintOf(data);
  const pdf = await signPdf(await renderAttestationPdf(data, fingerprint), await input.keyring(), now);
  const pdfSha256 = createHash('sha256').update(pdf).digest('hex');

  return dataSource.transaction(async (manager) => {
    // A decision may have landed while the PDF was being made: if the provider's history or the
    // code versions changed since they were read, compute the status again inside the transaction.
    const [changed] = (await manager.query(
      `SELECT (SELECT coalesce(max(id), 0) FROM status_events WHERE provider_id = p.id)::text <> $2
           OR (SELECT count(*) FROM code_of_conduct_versions) <> $3 AS changed
         FROM providers p WHERE p.id = $1 FOR SHARE`,
      [provider.id, latestEvent, versionCount],
    )) as { changed: boolean }[];
    if (changed?.changed) {
      const [histories, versions] = await Promise.all([
        loadHistories(manager, [provider.id]),
        loadCodeVersions(manager),
      ]);
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
    await appendAuditEvent(
      manager,
      {
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
      },
      now,
    );
    delete attestation.pdf;
    return attestation;
  });
}

export interface AttestationAnswer {
  attestation: Attestation;
  provider: Provider;
  status: AttestationStatus;
  /** The reviewer's explanation on the event that changed the status, if any. */
  causeReason: string | null;
}

function answerFor(
  attestation: Attestation,
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
 * The attestation (without its PDF), its provider, the provider's history and the code versions in
 * one round trip: the verification lookup is what every scan of a QR code asks.
 */
const VERIFY_QUERY = `
  SELECT jsonb_build_object('id', a.id, 'number', a.number, 'provider_id', a.provider_id, 'issued_at', a.issued_at,
                            'valid_until', a.valid_until, 'issued_by', a.issued_by,
                            'listing_event_id', a.listing_event_id, 'fingerprint', a.fingerprint,
                            'pdf_sha256', a.pdf_sha256) AS attestation,
         to_jsonb(p) AS provider,
         coalesce((SELECT jsonb_agg(to_jsonb(e) ORDER BY e.effective_at, e.id)
                     FROM status_events e WHERE e.provider_id = a.provider_id), '[]'::jsonb) AS events,
         coalesce((SELECT jsonb_agg(to_jsonb(v) ORDER BY v.published_at)
                     FROM code_of_conduct_versions v), '[]'::jsonb) AS versions
    FROM attestations a JOIN providers p ON p.id = a.provider_id
   WHERE a.number = $1 AND p.identity_confirmed_at IS NOT NULL`;

/**
 * One attestation by number with its status now; NotFoundError when the register never issued it
 * (or, which cannot happen through the app, issued it to a provider whose identity is unconfirmed).
 */
export async function verifyAttestation(
  dataSource: DataSource,
  number: string,
  now = new Date(),
): Promise<AttestationAnswer> {
  type Row = Record<'attestation' | 'provider', Record<string, unknown>> &
    Record<'events' | 'versions', Record<string, unknown>[]>;
  const rows = isAttestationNumber(number)
    ? await preparedQuery<Row>(dataSource, VERIFY_QUERY, [number])
    : [];
  if (rows.length === 0) throw new NotFoundError(`no attestation ${number}`);
  const [row] = rows;
  return answerFor(
    entityFromJson(dataSource, Attestation, row.attestation),
    entityFromJson(dataSource, Provider, row.provider),
    row.events.map((e) => entityFromJson(dataSource, StatusEvent, e)),
    row.versions.map((v) => entityFromJson(dataSource, CodeOfConductVersion, v)),
    now,
  );
}

/** The attestation whose stored PDF has exactly these bytes, if any. */
/** The attestation whose issued PDF has this SHA-256 (hex), if any. */
export async function attestationBySha256(
  dataSource: DataSource,
  sha256: string,
): Promise<Attestation | null> {
  return dataSource.getRepository(Attestation).findOneBy({ pdfSha256: sha256 });
}

/** The stored PDF of an attestation, exactly as issued. */
export async function attestationPdf(dataSource: DataSource, number: string): Promise<Buffer> {
  const row = isAttestationNumber(number)
    ? await dataSource
        .getRepository(Attestation)
        .createQueryBuilder('a')
        .addSelect('a.pdf')
        .where('a.number = :number', { number })
        .getOne()
    : null;
  if (!row?.pdf) throw new NotFoundError(`no attestation ${number}`);
  return row.pdf;
}

/** A provider's attestations (newest first) with their status at `now`, from its already loaded detail. */
export function providerAttestationAnswers(detail: ProviderDetail, now = new Date()): AttestationAnswer[] {
  return detail.attestations.map((a) =>
    answerFor(a, detail.provider, detail.history, detail.codeVersions, now),
  );
}
