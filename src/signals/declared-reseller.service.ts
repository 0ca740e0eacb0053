/*
 * Issue 19 §2: a provider's declared resellers. Each is read with the one reading of identifiers
 * (reseller-identifiers.ts), stored with the identifiers the matching reads (HMACs, ranges, name
 * keys), matched at once against every current signal, and audited without names. Declaring is
 * limited per provider per 24 hours and in total, and a provider that declares implausibly many is
 * flagged to reviewers: probing the signals with made-up resellers costs time and is seen.
 */
import type { EntityManager } from 'typeorm';
import type { Config } from '../config';
import { insertReviewTask } from '../provider/review-tasks';
import { actorOf, type PersonRole } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { NotFoundError, ValidationError } from '../shared/errors';
import {
  exactIdentifiers,
  identifierMac,
  type IdentifierProblem,
  readAsNumber,
  readDomain,
  DECLARED_WIDEST_PREFIX,
  readIpRange,
  readMailDomain,
  readResellerKvk,
  readResellerName,
  type Reading,
  resellerNameKey,
} from './reseller-identifiers';
import type { SignalKeys } from './signal-keys';
import { type MatchSettings, matchDeclarations } from './signal-matching';
import { signalsWithheld } from './signal-matching.queries';
import {
  currentDeclarations,
  type DeclarationInsert,
  declarationCounts,
  firstRangeOverlap,
  type IdentifierInsert,
  insertDeclarationIdentifiers,
  insertDeclarations,
  removeDeclarations,
} from './declared-reseller.queries';

export interface ResellerLimits {
  perDay: number;
  flagPerDay: number;
  maxDeclared: number;
}

export const resellerLimitsOf = (config: Config): ResellerLimits => ({
  perDay: config.resellerDeclarationsPerDay,
  flagPerDay: config.resellerFlagPerDay,
  maxDeclared: config.resellerMaxDeclared,
});

/** The fields of the add form (and the columns of an import), as typed. */
export const DECLARATION_FIELDS = [
  'reference',
  'resellerNames',
  'resellerKvk',
  'resellerDomains',
  'resellerMailDomains',
  'resellerIpRanges',
  'resellerAsNumbers',
] as const;
export type DeclarationField = (typeof DECLARATION_FIELDS)[number];
export type DeclarationForm = Record<DeclarationField, string>;

const MAX_REFERENCE = 200;
/** The most values of one kind a declaration holds: a reseller, not a network. */
const MAX_VALUES = 100;

/** The translation key of a refused value. */
export const problemKey = (problem: IdentifierProblem | 'tooMany' | 'referenceTooLong' | 'nothing') =>
  `resellers.invalid.${problem}`;

export type DeclarationReading =
  | { ok: true; value: DeclarationInsert }
  | { ok: false; fields: Record<string, string[]>; params: Record<string, string> };

/** Values typed one per line (or separated by `;` or `,` in a spreadsheet cell): blank lines left out. */
export function valuesOf(typed: string, separators = /\r?\n/): { line: number; text: string }[] {
  return typed
    .split(separators)
    .map((text, i) => ({ line: i + 1, text: text.trim() }))
    .filter((v) => v.text !== '');
}

/**
 * Reads one declaration as typed: every value by its reader; per field the lines refused (with
 * their numbers, as `{<field>Lines}` in the message); at least one identifier.
 */
export function readDeclaration(form: DeclarationForm, separators?: RegExp): DeclarationReading {
  const fields: Record<string, string[]> = {};
  const params: Record<string, string> = {};
  const many = <T>(field: DeclarationField, read: (text: string) => Reading<T>): T[] => {
    const out: T[] = [];
    const bad = new Map<IdentifierProblem, number[]>();
    const values = valuesOf(form[field], separators);
    for (const { line, text } of values) {
      const reading = read(text);
      if (reading.ok) {
        if (!out.includes(reading.value)) out.push(reading.value);
      } else bad.set(reading.problem, [...(bad.get(reading.problem) ?? []), line]);
    }
    for (const [problem, lines] of bad) {
      (fields[field] ??= []).push(problemKey(problem));
      params[`${field}Lines`] = [params[`${field}Lines`], lines.join(', ')].filter(Boolean).join(', ');
    }
    if (values.length > MAX_VALUES) {
      (fields[field] ??= []).push(problemKey('tooMany'));
      params.max = String(MAX_VALUES);
    }
    return out;
  };
  const reference = form.reference.trim();
  if (reference.length > MAX_REFERENCE) fields.reference = [problemKey('referenceTooLong')];
  const names = many('resellerNames', readResellerName);
  const kvk = form.resellerKvk.trim() === '' ? [] : many('resellerKvk', readResellerKvk);
  const value: DeclarationInsert = {
    reference,
    names,
    kvkNumber: kvk[0] ?? null,
    domains: many('resellerDomains', readDomain),
    mailDomains: many('resellerMailDomains', readMailDomain),
    ipRanges: many('resellerIpRanges', (typed) => readIpRange(typed, DECLARED_WIDEST_PREFIX)),
    asNumbers: many('resellerAsNumbers', readAsNumber),
  };
  if (kvk.length > 1) (fields.resellerKvk ??= []).push(problemKey('kvk'));
  if (Object.keys(fields).length > 0) return { ok: false, fields, params };
  const identifiers =
    value.names.length +
    value.domains.length +
    value.mailDomains.length +
    value.ipRanges.length +
    value.asNumbers.length;
  if (identifiers === 0 && value.kvkNumber === null)
    return { ok: false, fields: { resellerNames: [problemKey('nothing')] }, params };
  return { ok: true, value };
}

/** A declaration's identity, so that one already on the list is told from a new one. */
/** How many identifiers a declaration holds: what the day's limit and flag count. */
export function identifierCount(d: DeclarationInsert): number {
  return (
    d.names.length +
    d.domains.length +
    d.mailDomains.length +
    d.ipRanges.length +
    d.asNumbers.length +
    (d.kvkNumber ? 1 : 0)
  );
}

export function declarationKey(d: DeclarationInsert): string {
  const sorted = (values: readonly (string | number)[]) => [...values].map(String).sort();
  return JSON.stringify([
    d.reference,
    sorted(d.names),
    d.kvkNumber ?? '',
    sorted(d.domains),
    sorted(d.mailDomains),
    sorted(d.ipRanges),
    sorted(d.asNumbers),
  ]);
}

/** The identifier rows the matching reads for one declaration. */
export function identifierRows(keys: SignalKeys, id: string, d: DeclarationInsert): IdentifierInsert[] {
  const identity = {
    kvkNumbers: d.kvkNumber ? [d.kvkNumber] : [],
    names: d.names,
    domains: d.domains,
    mailDomains: d.mailDomains,
    ipRanges: d.ipRanges,
    asNumbers: d.asNumbers,
  };
  const rows: IdentifierInsert[] = exactIdentifiers(identity, true).map(({ kind, value }) => ({
    declaredResellerId: id,
    kind,
    mac: identifierMac(keys.macKey, kind, value),
    ipRange: null,
    nameKey: null,
  }));
  for (const range of d.ipRanges)
    rows.push({ declaredResellerId: id, kind: 'ip_range', mac: null, ipRange: range, nameKey: null });
  for (const key of new Set(d.names.map(resellerNameKey)))
    if (key) rows.push({ declaredResellerId: id, kind: 'name', mac: null, ipRange: null, nameKey: key });
  return rows;
}

export interface DeclaringUser {
  id: string;
  role: PersonRole;
  providerId: string;
}

export interface DeclareOutcome {
  ids: string[];
  removed: string[];
  matches: number;
  flagged: boolean;
}

/** What declaring `rows` would add, measured against the limits (see declarationRoom). */
export interface DeclarationRoom {
  /** The rows not on the list yet (each once). */
  fresh: DeclarationInsert[];
  /** The ids of declarations on the list that rows repeat. */
  kept: string[];
  counts: { lastDay: number; current: number };
  /** The identifiers of the fresh rows: what the day's limit counts. */
  freshValues: number;
  /** Identifiers that still fit in the last 24 hours. */
  dayLeft: number;
  /** Declarations that still fit on the list (after the removal a `replace` makes). */
  totalLeft: number;
}

/**
 * Which of `rows` are new to the provider's list and how much still fits: the day's limit and flag
 * count identifiers, not resellers (one declaration of a hundred AS numbers probes as much as a
 * hundred declarations of one). The import preview shows it; declaring enforces it, under its lock.
 */
export async function declarationRoom(
  manager: EntityManager,
  providerId: string,
  rows: DeclarationInsert[],
  limits: ResellerLimits,
  replace: boolean,
  now: Date,
): Promise<DeclarationRoom> {
  const existing = await currentDeclarations(manager, providerId);
  const existingKeys = new Map(existing.map((d) => [declarationKey(d), d.id]));
  const seen = new Set<string>();
  const fresh: DeclarationInsert[] = [];
  const kept: string[] = [];
  for (const row of rows) {
    const key = declarationKey(row);
    if (seen.has(key)) continue;
    seen.add(key);
    const id = existingKeys.get(key);
    if (id) kept.push(id);
    else fresh.push(row);
  }
  const counts = await declarationCounts(manager, providerId, now);
  const freshValues = fresh.reduce((sum, row) => sum + identifierCount(row), 0);
  const afterRemoval = replace ? kept.length : counts.current;
  return {
    fresh,
    kept,
    counts,
    freshValues,
    dayLeft: Math.max(0, limits.perDay - counts.lastDay),
    totalLeft: Math.max(0, limits.maxDeclared - afterRemoval),
  };
}

/**
 * Declares resellers for the user's provider, in the caller's transaction: within the limits (else
 * a ValidationError on `field` saying how many still fit), stored, their identifiers written, matched
 * against every current signal, audited; flagged to reviewers past the flag threshold. With
 * `replace`, the provider's declarations not among `rows` are removed (rows already declared stay
 * as they are and do not count against the limits).
 */
export async function declareResellers(
  manager: EntityManager,
  keys: SignalKeys,
  user: DeclaringUser,
  rows: DeclarationInsert[],
  options: { source: 'form' | 'spreadsheet'; replace?: boolean; field: string },
  limits: ResellerLimits,
  settings: MatchSettings,
  now: Date,
): Promise<DeclareOutcome> {
  const providerId = user.providerId;
  // One declarer at a time per provider, so that two imports cannot both pass the limits.
  const [provider] = await manager.query<{ identity_confirmed_at: Date | null }[]>(
    `SELECT identity_confirmed_at FROM providers WHERE id = $1 FOR UPDATE`,
    [providerId],
  );
  // Only an organisation whose identity a reviewer confirmed learns of signals: a registration of
  // any KvK number by anyone must not be a way to read what the police send.
  if (!provider?.identity_confirmed_at)
    throw new ValidationError({ [options.field]: ['resellers.identityUnconfirmed'] });
  if (await signalsWithheld(manager, providerId))
    throw new ValidationError({ [options.field]: ['resellers.revoked'] });
  const { fresh, kept, counts, freshValues, dayLeft, totalLeft } = await declarationRoom(
    manager,
    providerId,
    rows,
    limits,
    Boolean(options.replace),
    now,
  );
  if (freshValues > dayLeft)
    throw new ValidationError({ [options.field]: ['resellers.limit.perDay'] }, undefined, {
      left: dayLeft,
      limit: limits.perDay,
      count: freshValues,
    });
  if (fresh.length > totalLeft)
    throw new ValidationError({ [options.field]: ['resellers.limit.total'] }, undefined, {
      left: totalLeft,
      limit: limits.maxDeclared,
      count: fresh.length,
    });
  // A range that overlaps another the provider declares for another reseller is refused: nested
  // declarations (a /20, its /21 halves, …) would bisect a signal's range and read it exactly.
  const overlap = await firstRangeOverlap(
    manager,
    providerId,
    options.replace ? kept : null,
    fresh.flatMap((row, index) => row.ipRanges.map((range) => ({ row: index, range }))),
  );
  if (overlap) {
    const other = overlap.other_row === null ? undefined : fresh[overlap.other_row];
    const reference = overlap.reference || overlap.name || other?.reference || other?.names[0] || '';
    throw new ValidationError(
      { [options.source === 'form' ? 'resellerIpRanges' : options.field]: ['resellers.ipRangeOverlaps'] },
      undefined,
      { range: overlap.range, declared: overlap.declared, reference: reference || '—' },
    );
  }
  const actor = actorOf(user);
  const removed = options.replace
    ? await removeDeclarations(manager, providerId, 'all-but', kept, user.id, now)
    : [];
  const ids =
    fresh.length > 0
      ? await insertDeclarations(manager, providerId, user.id, options.source, fresh, now)
      : [];
  await insertDeclarationIdentifiers(
    manager,
    providerId,
    ids.flatMap((id, i) => identifierRows(keys, id, fresh[i]!)),
  );
  if (options.source === 'form') {
    for (const id of ids)
      await appendAuditEvent(manager, now, {
        actor,
        action: 'reseller.declared',
        subjectType: 'declared_reseller',
        subjectId: id,
      });
  } else {
    await appendAuditEvent(manager, now, {
      actor,
      action: 'reseller.imported',
      subjectType: 'provider',
      subjectId: providerId,
      data: {
        added: ids.length,
        unchanged: kept.length,
        removed: removed.length,
        replace: Boolean(options.replace),
      },
    });
  }
  let flagged = false;
  const lastDay = counts.lastDay + freshValues;
  if (ids.length > 0 && lastDay > limits.flagPerDay) {
    const taskId = await insertReviewTask(
      manager,
      { providerId, kind: 'reseller_declarations_many', detail: { declaredInDay: lastDay } },
      now,
    );
    if (taskId) {
      flagged = true;
      await appendAuditEvent(manager, now, {
        actor,
        action: 'reseller.declarations_flagged',
        subjectType: 'provider',
        subjectId: providerId,
        data: { reviewTaskId: taskId, declaredInDay: lastDay },
      });
    }
  }
  const matched = await matchDeclarations(manager, keys, ids, settings, now);
  return { ids, removed, matches: matched.matches, flagged };
}

/** Removes one of the provider's declarations (its matches stay for the record); another's is not found. */
export async function removeDeclaredReseller(
  manager: EntityManager,
  user: DeclaringUser,
  id: string,
  now: Date,
): Promise<void> {
  const removed = await removeDeclarations(manager, user.providerId, [id], [], user.id, now);
  if (removed.length === 0) throw new NotFoundError();
  await appendAuditEvent(manager, now, {
    actor: actorOf(user),
    action: 'reseller.removed',
    subjectType: 'declared_reseller',
    subjectId: id,
  });
}
