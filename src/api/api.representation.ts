import { attestationStatusAt } from '../attestation/attestation-rules';
import type { AttestationAnswer } from '../attestation/attestation.service';
import type { AttestationProof } from '../transparency/attestation-proof';
import type { BulkResult } from '../check/bulk-check.service';
import { toCodeVersionFact, toStatusFact } from '../status/status-history';
import type { DateAnswer, ProviderDetail } from '../register/provider.service';
import type { SearchResult, SearchRow } from '../register/search.service';
import { type Language, translate } from '../shared/i18n';
import type { StatusEvent } from '../status/status-event.entity';
import type { StatusChange } from '../status/status-feed.service';
import type { StatusCodeName } from '../status/status-change';
import { plannedAanEnd, type StatusAt } from '../status/status-rules';
import { reasonInLanguage } from '../shared/status-reasons';
import { toLocalDate } from '../shared/time';
import {
  type Controle,
  type Hostingprovider,
  type HostingproviderLijst,
  type HostingproviderSamenvatting,
  type PaginaLinks,
  Reden,
  StatusCode,
  type Statuswijziging,
  type Statuswijzigingen,
  type StatuswijzigingenFeed,
  type StatuswijzigingInRegister,
  type Transparantielogbewijs,
  type Verklaring,
} from './api.schemas';

/**
 * The JSON faces of the register's answers: Dutch property names, as the NL API Design Rules
 * ask; texts in the language of the request. Each returns the type of its schema in api.schemas.ts,
 * from which the OpenAPI document is generated, so an answer and its description cannot drift apart.
 */

const iso = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
/** A day that starts at local midnight (AAN participation since or end, a suspension's end) on the Dutch calendar. */
const localDate = (d: Date | null | undefined): string | null => (d ? toLocalDate(d) : null);

export interface ApiUrls {
  /** The API's own base, e.g. https://register.example/api/v1 */
  api: string;
  /** The register's public base URL, for links to web pages. */
  web: string;
}

export const providerHref = (urls: ApiUrls, kvk: string) => `${urls.api}/hostingproviders/${kvk}`;

export function providerSummary(row: SearchRow, urls: ApiUrls, lang: Language): HostingproviderSamenvatting {
  return {
    kvkNummer: row.kvkNumber,
    naam: row.legalName,
    handelsnamen: row.tradeNames,
    vestigingsplaats: row.city,
    website: row.website,
    status: {
      // The search reads the code as text; a code the document does not list is an error, not an answer.
      code: StatusCode.parse(row.status),
      verantwoord: row.status === 'verantwoord',
      omschrijving: translate(lang, `status.label.${row.status}`),
      sinds: iso(row.since),
      geldigTot: iso(row.validUntil),
    },
    links: { self: { href: providerHref(urls, row.kvkNumber) } },
  };
}

export function providerList(
  result: SearchResult,
  pageSize: number,
  links: PaginaLinks,
  urls: ApiUrls,
  lang: Language,
): HostingproviderLijst {
  return {
    hostingproviders: result.rows.map((row) => providerSummary(row, urls, lang)),
    paginering: {
      pagina: result.page,
      paginaGrootte: pageSize,
      aantalPaginas: result.pageCount,
      totaal: result.total,
      ...(result.more ? { meerDanTotaal: true } : {}),
    },
    links,
  };
}

function statusBody(status: StatusAt, causeReason: string | null, at: Date, lang: Language) {
  const code: StatusCode = status.verantwoord ? 'verantwoord' : status.reason;
  return {
    peilmoment: at.toISOString(),
    verantwoord: status.verantwoord,
    code,
    omschrijving: translate(lang, `status.label.${code}`),
    uitleg: translate(lang, `status.explanation.${code}`),
    toelichting: status.verantwoord ? null : reasonInLanguage(causeReason, lang),
    sinds: iso(status.since),
    tot: status.verantwoord ? null : localDate(status.until),
  };
}

/** One provider with its status now or on a peildatum, its listing and links. */
export function providerResource(
  detail: ProviderDetail,
  answer: { status: StatusAt; at: Date; dateAnswer?: Extract<DateAnswer, { kind: 'answer' }> },
  urls: ApiUrls,
  lang: Language,
): Hostingprovider {
  const { provider } = detail;
  const { status } = answer;
  const cause = status.verantwoord ? undefined : status.cause;
  const causeReason = cause
    ? (detail.history.find((e) => Number(e.id) === cause.sequence)?.reason ?? null)
    : null;
  const listing = status.listing;
  const versionLabel = (id: string) => detail.codeVersions.find((v) => v.id === id)?.label ?? null;
  const self = providerHref(urls, provider.kvkNumber);
  return {
    kvkNummer: provider.kvkNumber,
    naam: provider.legalName,
    handelsnamen: provider.tradeNames,
    btwNummer: provider.vatNumber,
    adres: {
      straatEnHuisnummer: provider.streetAddress,
      postcode: provider.postcode,
      plaats: provider.city,
    },
    website: provider.website,
    abuseEmailadres: provider.abuseEmail,
    asNummers: provider.asNumbers,
    status: {
      ...(answer.dateAnswer ? { peildatum: answer.dateAnswer.date } : {}),
      ...statusBody(status, causeReason, answer.at, lang),
      ...(answer.dateAnswer
        ? {
            gewijzigdOpPeildatum: answer.dateAnswer.changedThatDay,
            voorEersteStatuswijziging: answer.dateAnswer.beforeHistory,
          }
        : {}),
    },
    vermelding: listing
      ? {
          goedgekeurdOp: listing.approvedAt.toISOString(),
          geldigTot: listing.validUntil.toISOString(),
          gedragscodeVersie: versionLabel(listing.codeOfConductVersionId),
          aanDeelnameSinds: toLocalDate(listing.aanSince),
          aanDeelnameTot: localDate(plannedAanEnd(detail.history.map(toStatusFact), listing, answer.at)),
        }
      : null,
    verklaringen: attestationSummaries(detail, answer.at, urls),
    links: {
      self: { href: answer.dateAnswer ? `${self}?peildatum=${answer.dateAnswer.date}` : self },
      statuswijzigingen: { href: `${self}/statuswijzigingen` },
      webpagina: { href: `${urls.web}/hostingproviders/${provider.kvkNumber}` },
    },
  };
}

export function statusChange(
  event: StatusEvent,
  versionLabels: Map<string, string>,
  lang: Language,
): Statuswijziging {
  return {
    volgnummer: Number(event.id),
    soort: event.kind,
    omschrijving: translate(lang, `statusEvent.kind.${event.kind}`),
    ingangsmoment: event.effectiveAt.toISOString(),
    registratiemoment: event.recordedAt.toISOString(),
    toelichting: event.reason,
    geldigTot: iso(event.validUntil),
    geschorstTot: localDate(event.suspendedUntil),
    gedragscodeVersie: event.codeOfConductVersionId
      ? (versionLabels.get(event.codeOfConductVersionId) ?? null)
      : null,
    aanDeelnameSinds: localDate(event.aanSince),
  };
}

export function statusChanges(detail: ProviderDetail, urls: ApiUrls, lang: Language): Statuswijzigingen {
  const labels = new Map(detail.codeVersions.map((v) => [v.id, v.label]));
  const provider = providerHref(urls, detail.provider.kvkNumber);
  return {
    kvkNummer: detail.provider.kvkNumber,
    statuswijzigingen: detail.history.map((e) => statusChange(e, labels, lang)),
    links: { self: { href: `${provider}/statuswijzigingen` }, hostingprovider: { href: provider } },
  };
}

const statusInWords = (code: StatusCodeName, lang: Language) => ({
  code,
  verantwoord: code === 'verantwoord',
  omschrijving: translate(lang, `status.label.${code}`),
});

/** One change of the register-wide feed. */
export function registerChange(
  change: StatusChange,
  urls: ApiUrls,
  lang: Language,
): StatuswijzigingInRegister {
  const provider = providerHref(urls, change.kvkNumber);
  return {
    volgnummer: Number(change.position),
    kvkNummer: change.kvkNumber,
    naam: change.legalName,
    soort: change.kind,
    omschrijving: translate(lang, `statusEvent.kind.${change.kind}`),
    van: statusInWords(change.from, lang),
    naar: statusInWords(change.to, lang),
    toelichting: reasonInLanguage(change.reason, lang),
    ingangsmoment: change.effectiveAt.toISOString(),
    registratiemoment: change.recordedAt.toISOString(),
    links: {
      hostingprovider: { href: provider },
      statuswijzigingen: { href: `${provider}/statuswijzigingen` },
      webpagina: { href: `${urls.web}/hostingproviders/${change.kvkNumber}` },
    },
  };
}

/** A page of the register-wide change feed with its own link and the next one's. */
export function changeFeedPage(
  page: { changes: StatusChange[]; more: boolean },
  links: { self: string; next: string },
  urls: ApiUrls,
  lang: Language,
): StatuswijzigingenFeed {
  return {
    statuswijzigingen: page.changes.map((change) => registerChange(change, urls, lang)),
    meer: page.more,
    links: { self: { href: links.self }, next: { href: links.next } },
  };
}

/** The note on a check of a seven-digit number: the leading zero a spreadsheet dropped. */
function checkNote(
  row: BulkResult['rows'][number],
  lang: Language,
): Controle['resultaten'][number]['opmerking'] {
  if (!row.leadingZero || !row.kvkNumber) return null;
  const code = row.leadingZero === 'restored' ? 'voorloopnul_aangevuld' : 'voorloopnul_weggevallen';
  const key =
    row.leadingZero === 'restored' ? 'bulk.note.leadingZeroRestored' : 'bulk.note.leadingZeroSuggested';
  return { code, tekst: translate(lang, key, { kvk: row.kvkNumber }) };
}

export function checkResult(result: BulkResult, urls: ApiUrls, lang: Language): Controle {
  return {
    peildatum: result.peildatum,
    peilmoment: result.at.toISOString(),
    aantallen: {
      verantwoord: result.counts.verantwoord,
      nietVerantwoord: result.counts.niet_verantwoord,
      onbekend: result.counts.onbekend,
      ongeldig: result.counts.ongeldig,
      dubbel: result.counts.dubbel,
    },
    resultaten: result.rows.map((row) => ({
      positie: row.line,
      kvkNummer: row.kvkInput,
      gelezenAls: row.kvkNumber ?? null,
      uitkomst: row.outcome,
      reden: Reden.parse(row.reason ?? null),
      naam: row.legalName ?? null,
      dubbelVan: row.firstLine ?? null,
      opmerking: checkNote(row, lang),
      hostingprovider: row.legalName && row.kvkNumber ? { href: providerHref(urls, row.kvkNumber) } : null,
    })),
  };
}

export const attestationHref = (urls: ApiUrls, number: string) => `${urls.api}/verklaringen/${number}`;
const attestationPdfHref = (urls: ApiUrls, number: string) => `${urls.web}/verificatie/${number}/pdf`;

/** The provider's attestations issued up to `at`, with their status at `at`, newest first. */
function attestationSummaries(detail: ProviderDetail, at: Date, urls: ApiUrls) {
  const facts = detail.history.map(toStatusFact);
  const versions = detail.codeVersions.map(toCodeVersionFact);
  return detail.attestations
    .filter((a) => a.issuedAt.getTime() <= at.getTime())
    .map((a) => ({
      nummer: a.number,
      status: attestationStatusAt(a, facts, versions, at).state,
      afgegevenOp: a.issuedAt.toISOString(),
      geldigTot: a.validUntil.toISOString(),
      links: {
        self: { href: attestationHref(urls, a.number) },
        pdf: { href: attestationPdfHref(urls, a.number) },
      },
    }));
}

/** Where the attestation's issue stands in the transparency log, as the verification answer gives it. */
function logProofResource(
  proof: AttestationProof,
  waitSeconds: number | undefined,
  lang: Language,
): Transparantielogbewijs {
  if (proof.state === 'missing')
    return {
      opgenomen: false,
      reden: proof.reason,
      bladnummer: null,
      melding: translate(lang, 'attestation.log.missing'),
      boomgrootte: null,
      ondertekendOp: null,
      checkpoint: null,
      inclusiebewijs: null,
    };
  if (proof.state === 'pending')
    return {
      opgenomen: false,
      reden: null,
      bladnummer: proof.leafIndex,
      melding:
        waitSeconds === undefined
          ? translate(lang, 'attestation.log.pendingBehind')
          : translate(lang, 'attestation.log.pending', { seconds: waitSeconds }),
      boomgrootte: null,
      ondertekendOp: null,
      checkpoint: null,
      inclusiebewijs: null,
    };
  return {
    opgenomen: true,
    reden: null,
    bladnummer: proof.leafIndex,
    melding: translate(lang, 'attestation.log.includedShort', {
      index: proof.leafIndex,
      size: proof.treeSize,
    }),
    boomgrootte: proof.treeSize,
    ondertekendOp: proof.signedAt.toISOString(),
    checkpoint: proof.checkpoint,
    inclusiebewijs: proof.proof.map((hash) => hash.toString('base64')),
  };
}

/**
 * The verification answer for one attestation, as GET /verklaringen/{nummer} gives it, with the
 * proof that its issue is in the transparency log (`proof`: the attestation's, so never undefined
 * for one that exists; `missing` when the log does not record its issue).
 */
export function attestationResource(
  answer: AttestationAnswer,
  urls: ApiUrls,
  lang: Language,
  /** `waitSeconds`: about how long a pending proof waits (`pendingWait`); undefined when the log is behind. */
  log: { proof: AttestationProof; waitSeconds: number | undefined },
): Verklaring {
  const { attestation, status, provider } = answer;
  const included = log.proof?.state === 'included';
  return {
    nummer: attestation.number,
    status: status.state,
    omschrijving: translate(lang, `attestation.state.${status.state}`),
    uitleg: translate(lang, `attestation.explanation.${status.state}`),
    sinds: iso(status.since),
    tot: localDate(status.until),
    reden: status.reason ?? null,
    toelichting: status.state === 'valid' ? null : reasonInLanguage(answer.causeReason, lang),
    hostingprovider: { kvkNummer: provider.kvkNumber, naam: provider.legalName },
    afgegevenOp: attestation.issuedAt.toISOString(),
    geldigTot: attestation.validUntil.toISOString(),
    vingerafdruk: attestation.fingerprint,
    transparantielog: logProofResource(log.proof, log.waitSeconds, lang),
    links: {
      self: { href: attestationHref(urls, attestation.number) },
      pdf: { href: attestationPdfHref(urls, attestation.number) },
      verificatiepagina: { href: `${urls.web}/verificatie/${attestation.number}` },
      hostingprovider: { href: providerHref(urls, provider.kvkNumber) },
      ...(included ? { bewijs: { href: `${urls.web}/verificatie/${attestation.number}/bewijs` } } : {}),
      transparantielog: { href: `${urls.web}/transparantie` },
    },
  };
}
