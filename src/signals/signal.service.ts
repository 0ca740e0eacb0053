/*
 * Issue 19 §1: signals in. A signal supplier (the police) names a reseller by whatever identifies it,
 * with a category, a confidence, a date, an expiry and free text. What identifies the reseller and
 * the text are sealed (the secrets key lives outside the database); the exact identifiers are kept
 * as keyed HMACs only, for matching. Every showing of a signal's content is an audit event.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent, appendAuditEvents } from '../audit/audit.service';
import { hasForbiddenCharacters } from '../shared/forbidden-characters';
import { isUuid } from '../shared/identifiers';
import { NotFoundError } from '../shared/errors';
import { parseLocalDate, toLocalDate } from '../shared/time';
import {
  emptyIdentity,
  exactIdentifiers,
  identifierMac,
  type IdentifierProblem,
  isEmptyIdentity,
  type Reading,
  readAsNumber,
  readDomain,
  readIpRange,
  readMailDomain,
  readResellerKvk,
  readResellerName,
  type ResellerIdentity,
} from './reseller-identifiers';
import type { SignalContent, SignalKeys } from './signal-keys';
import { matchSignals, type MatchSettings } from './signal-matching';
import {
  insertSignal,
  insertSignalIdentifiers,
  lockActiveSupplier,
  recordSignalImport,
  signalPage,
  type SignalRow,
  signalRowOf,
  withdrawSignalRow,
} from './signal.queries';
import { readCategory, readConfidence, type SignalCategory, type SignalConfidence } from './signal-terms';

export { SIGNAL_CATEGORIES, SIGNAL_CONFIDENCES, signalReference } from './signal-terms';
export type { SignalCategory, SignalConfidence } from './signal-terms';
export type SignalSource = 'form' | 'spreadsheet' | 'api';

/** The longest free text of a signal. */
export const MAX_SIGNAL_TEXT = 2000;
/** The most identifiers of one kind a signal holds (as the API's document says: maxItems 1000). */
export const MAX_IDENTIFIERS_PER_KIND = 1000;
/** The furthest an expiry may lie after the signal's date. */
export const MAX_SIGNAL_YEARS = 2;

/** The identifier fields of a signal, in the order of the form, and the reader of each. */
export const IDENTIFIER_FIELDS = [
  'kvkNumbers',
  'names',
  'domains',
  'mailDomains',
  'ipRanges',
  'asNumbers',
] as const;
export type IdentifierField = (typeof IDENTIFIER_FIELDS)[number];
const READERS: Record<IdentifierField, (typed: string) => Reading<string | number>> = {
  kvkNumbers: readResellerKvk,
  names: readResellerName,
  domains: readDomain,
  mailDomains: readMailDomain,
  ipRanges: readIpRange,
  asNumbers: readAsNumber,
};

/** A signal as typed (form, spreadsheet row, API body): identifiers as lists of typed values. */
export interface TypedSignal {
  identifiers: Record<IdentifierField, string[]>;
  category: string;
  confidence: string;
  /** YYYY-MM-DD or D-M-YYYY; empty: today. */
  observedOn: string;
  /** Empty: a year after the date. */
  expiresOn: string;
  text: string;
}

/** A signal read and checked, ready to store. */
export interface SignalInput {
  identity: ResellerIdentity;
  category: SignalCategory;
  confidence: SignalConfidence;
  observedOn: string;
  expiresOn: string;
  text: string;
}

/**
 * One problem of a typed signal: the field, the message key, and for an identifier the 1-based
 * place of the value in its list (the line of a textarea) and the value as typed.
 */
export interface SignalProblem {
  field: IdentifierField | 'identifiers' | 'category' | 'confidence' | 'observedOn' | 'expiresOn' | 'text';
  key: string;
  line?: number;
  value?: string;
}

/** The problem keys of identifiers, under `signals.invalid.` in the locales. */
const identifierProblemKey = (problem: IdentifierProblem) => `signals.identifiers.invalid.${problem}`;

/** A date as typed: YYYY-MM-DD (a date field) or D-M-YYYY (a person, a spreadsheet), as YYYY-MM-DD. */
export function readSignalDate(typed: string): string | undefined {
  const value = typed.trim();
  const dayFirst = /^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$/.exec(value);
  const iso = dayFirst
    ? `${dayFirst[3]}-${dayFirst[2]!.padStart(2, '0')}-${dayFirst[1]!.padStart(2, '0')}`
    : value.replace(/[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?Z?$/, '');
  return parseLocalDate(iso) ? iso : undefined;
}

/** `date` (YYYY-MM-DD) plus whole years; 29 February becomes 28 February in a common year. */
export function addYears(date: string, years: number): string {
  const { y, m, d } = parseLocalDate(date)!;
  const last = new Date(Date.UTC(y + years, m, 0)).getUTCDate();
  return `${y + years}-${String(m).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Splits a textarea into its lines, keeping their numbers; empty lines are skipped (not refused). */
export function typedLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

/**
 * Reads a typed signal: every identifier with the one reader of its kind (duplicates once), the
 * category and confidence from their lists, the dates (default today and a year later; the expiry
 * not before the date and at most two years after it), the text (at most 2000 characters, several
 * lines allowed, no control or text-direction characters). Answers every problem at once.
 */
export function readTypedSignal(
  typed: TypedSignal,
  today: string,
): { ok: true; input: SignalInput } | { ok: false; problems: SignalProblem[] } {
  const problems: SignalProblem[] = [];
  const identity = emptyIdentity();
  for (const field of IDENTIFIER_FIELDS) {
    const values = new Set<string | number>();
    // A longer list is refused as a whole, not line by line (ten thousand lines, ten thousand messages).
    if (typed.identifiers[field].filter((value) => value.trim()).length > MAX_IDENTIFIERS_PER_KIND) {
      problems.push({ field, key: 'signals.invalid.tooManyIdentifiers' });
      continue;
    }
    typed.identifiers[field].forEach((value, index) => {
      if (!value.trim()) return;
      const reading = READERS[field](value);
      if (reading.ok) values.add(reading.value);
      else problems.push({ field, key: identifierProblemKey(reading.problem), line: index + 1, value });
    });
    (identity[field] as (string | number)[]) = [...values];
  }
  if (
    isEmptyIdentity(identity) &&
    !problems.some((p) => IDENTIFIER_FIELDS.includes(p.field as IdentifierField))
  )
    problems.push({ field: 'identifiers', key: 'signals.invalid.noIdentifier' });
  // The codes the form posts, and the Dutch and English words a spreadsheet holds (hoog, fraude).
  const category = readCategory(typed.category);
  if (!category)
    problems.push({
      field: 'category',
      key: typed.category.trim() ? 'signals.invalid.category' : 'signals.invalid.categoryMissing',
    });
  const confidence = readConfidence(typed.confidence);
  if (!confidence)
    problems.push({
      field: 'confidence',
      key: typed.confidence.trim() ? 'signals.invalid.confidence' : 'signals.invalid.confidenceMissing',
    });
  const observedOn = typed.observedOn.trim() ? readSignalDate(typed.observedOn) : today;
  // A date more than MAX_SIGNAL_YEARS ago can give no current signal (its expiry is at most that
  // long after it): 1900-12-01 is a typing error, not intelligence (outside tries, F2).
  const tooOld = Boolean(observedOn && observedOn < addYears(today, -MAX_SIGNAL_YEARS));
  if (!observedOn) problems.push({ field: 'observedOn', key: 'signals.invalid.date' });
  else if (observedOn > today) problems.push({ field: 'observedOn', key: 'signals.invalid.dateInFuture' });
  else if (tooOld) problems.push({ field: 'observedOn', key: 'signals.invalid.dateTooOld' });
  const expiresOn = typed.expiresOn.trim()
    ? readSignalDate(typed.expiresOn)
    : observedOn && addYears(observedOn, 1);
  if (!expiresOn) {
    if (typed.expiresOn.trim()) problems.push({ field: 'expiresOn', key: 'signals.invalid.date' });
  } else if (observedOn && expiresOn < observedOn)
    problems.push({ field: 'expiresOn', key: 'signals.invalid.expiresBeforeDate' });
  else if (observedOn && expiresOn > addYears(observedOn, MAX_SIGNAL_YEARS))
    problems.push({ field: 'expiresOn', key: 'signals.invalid.expiresTooLate' });
  // Stored already expired, a signal never matches and only confuses the supplier's list.
  else if (!tooOld && expiresOn <= today)
    problems.push({ field: 'expiresOn', key: 'signals.invalid.expiresInPast' });
  const text = typed.text.replace(/\r\n?/g, '\n').trim();
  if (text.length > MAX_SIGNAL_TEXT) problems.push({ field: 'text', key: 'signals.invalid.textTooLong' });
  else if (hasForbiddenCharacters(text))
    problems.push({ field: 'text', key: 'signals.invalid.textCharacters' });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    input: {
      identity,
      category: category!,
      confidence: confidence!,
      observedOn: observedOn!,
      expiresOn: expiresOn!,
      text,
    },
  };
}

/** Who sends signals: the supplier organisation, and the person or the API key acting for it. */
export interface SignalSender {
  supplierId: string;
  actor: string;
  userId: string | null;
  apiKeyId: string | null;
}

/**
 * Stores signals in ONE transaction: each row with its sealed content, the HMACs of its exact
 * identifiers, one audit event `signal.created` per signal (ids and counts, never content), and the
 * matching against every provider's declared resellers. Answers the new ids and numbers.
 */
export async function createSignals(
  dataSource: DataSource,
  keys: SignalKeys,
  by: SignalSender,
  inputs: SignalInput[],
  source: SignalSource,
  settings: MatchSettings,
  now: Date,
  options: { importDigest?: string } = {},
): Promise<{
  ids: string[];
  numbers: string[];
  matches: number;
  alreadyImported?: { importedAt: Date; count: number };
}> {
  return dataSource.transaction(async (manager) => {
    // The supplier's row, locked as numbering it locks it (the trigger on signals counts its signals,
    // F19): an organisation an administrator suspended meanwhile (F22) sends nothing.
    await lockActiveSupplier(manager, by.supplierId);
    // A file confirmed again (double click, back button, retry) is the import done already.
    if (options.importDigest) {
      const before = await recordSignalImport(
        manager,
        by.supplierId,
        options.importDigest,
        by.userId,
        inputs.length,
        now,
      );
      if (before) return { ids: [], numbers: [], matches: 0, alreadyImported: before };
    }
    const created: { id: string; number: string; identifiers: number }[] = [];
    for (const input of inputs) {
      const content: SignalContent = { identity: input.identity, text: input.text };
      const row = await insertSignal(manager, {
        supplierId: by.supplierId,
        category: input.category,
        confidence: input.confidence,
        observedOn: input.observedOn,
        expiresOn: input.expiresOn,
        sealed: keys.seal(content),
        source,
        createdAt: now,
        createdBy: by.userId,
        apiKeyId: by.apiKeyId,
      });
      const macs = exactIdentifiers(input.identity, false).map(({ kind, value }) => ({
        kind,
        mac: identifierMac(keys.macKey, kind, value),
      }));
      await insertSignalIdentifiers(manager, row.id, macs);
      created.push({
        ...row,
        identifiers: IDENTIFIER_FIELDS.reduce((n, field) => n + input.identity[field].length, 0),
      });
    }
    await appendAuditEvents(
      manager,
      now,
      created.map((signal) => ({
        actor: by.actor,
        action: 'signal.created',
        subjectType: 'signal',
        subjectId: signal.id,
        data: {
          signalSupplierId: by.supplierId,
          number: signal.number,
          source,
          identifiers: signal.identifiers,
        },
      })),
    );
    const ids = created.map((c) => c.id);
    const { matches } = await matchSignals(manager, keys, ids, settings, now);
    return { ids, numbers: created.map((c) => c.number), matches };
  });
}

/** A signal's status on a day: withdrawn, expired (its expiry passed) or current. */
export function signalStatus(
  signal: { withdrawnAt: Date | null; expiresOn: string },
  today: string,
): 'current' | 'expired' | 'withdrawn' {
  if (signal.withdrawnAt) return 'withdrawn';
  return signal.expiresOn < today ? 'expired' : 'current';
}

/** The page size of a supplier's list of signals. */
export const SIGNALS_PER_PAGE = 50;

/** A page of the organisation's signals (newest first), without their content, and whether there are more. */
export async function listSignals(
  manager: EntityManager,
  supplierId: string,
  page: number,
  perPage = SIGNALS_PER_PAGE,
): Promise<{ signals: SignalRow[]; total: number }> {
  return signalPage(manager, supplierId, (page - 1) * perPage, perPage);
}

/** One signal of the organisation, still sealed (nothing of its content shown, so no read); another's is not found. */
export async function signalOfSupplier(
  manager: EntityManager,
  supplierId: string,
  id: string,
): Promise<SignalRow> {
  const row = isUuid(id) ? await signalRowOf(manager, id) : undefined;
  if (!row || row.supplierId !== supplierId) throw new NotFoundError(`no signal ${id}`);
  return row;
}

/**
 * One signal of the organisation, unsealed; its showing is recorded (`signal.read`, who for) in
 * the same transaction. Another organisation's signal, or no signal at all, is not found.
 */
export async function openSignal(
  dataSource: DataSource,
  keys: SignalKeys,
  reader: { supplierId: string; actor: string },
  id: string,
  now: Date,
  via: 'page' | 'api',
): Promise<SignalRow & SignalContent> {
  if (!isUuid(id)) throw new NotFoundError(`no signal ${id}`);
  return dataSource.transaction(async (manager) => {
    const row = await signalRowOf(manager, id);
    if (!row || row.supplierId !== reader.supplierId) throw new NotFoundError(`no signal ${id}`);
    await appendAuditEvent(manager, now, {
      actor: reader.actor,
      action: 'signal.read',
      subjectType: 'signal',
      subjectId: row.id,
      data: { signalSupplierId: reader.supplierId, via },
    });
    return { ...row, ...keys.open(row.sealed) };
  });
}

/**
 * The organisation withdraws a signal: from then on it matches nothing and its matches no longer
 * show to providers as current. Withdrawing twice changes nothing; another's is not found.
 */
export async function withdrawSignal(
  dataSource: DataSource,
  by: { supplierId: string; actor: string; userId: string | null },
  id: string,
  now: Date,
): Promise<{ number: string; changed: boolean }> {
  if (!isUuid(id)) throw new NotFoundError(`no signal ${id}`);
  return dataSource.transaction(async (manager) => {
    const row = await signalRowOf(manager, id, true);
    if (!row || row.supplierId !== by.supplierId) throw new NotFoundError(`no signal ${id}`);
    if (row.withdrawnAt) return { number: row.number, changed: false };
    await withdrawSignalRow(manager, id, by.userId, now);
    await appendAuditEvent(manager, now, {
      actor: by.actor,
      action: 'signal.withdrawn',
      subjectType: 'signal',
      subjectId: id,
      data: { signalSupplierId: by.supplierId, number: row.number },
    });
    return { number: row.number, changed: true };
  });
}

/** Today in Amsterdam, the day signals' dates are counted in. */
export const signalToday = (now: Date) => toLocalDate(now);
