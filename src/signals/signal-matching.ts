/*
 * Issue 19 §2: matching signals against providers' declared resellers. Exact on identifiers (the
 * HMACs of KvK numbers, domains, mail domains and AS numbers; an IP range that overlaps), possible on
 * names that are equal or resemble (the provider confirms or dismisses). Set-based: one query finds
 * every pair with something in common, the rules below decide what each pair is, one insert records
 * them. Runs in the caller's transaction; a provider with a new match gets one mail without content.
 */
import type { EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { mailUsersOfProviders } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { keysResemble, MIN_SIMILAR_KEY_LENGTH, RESEMBLANCE_THRESHOLD } from '../register/name-resemblance';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import { identifierMac, type MatchKind, resellerNameKey } from './reseller-identifiers';
import { sharedIdentifiers } from './shared-domains';
import type { SignalKeys } from './signal-keys';
import {
  type CandidateRow,
  currentSignals,
  declarationsNeedUnsealing,
  insertMatches,
  declaredNameKeys,
  markNotified,
  matchCandidates,
  type NewMatch,
  pgTrigrams,
  resemblingNames,
  resemblingPairs,
} from './signal-matching.queries';
import { isPlainKey, resemblanceCandidates } from './name-candidates';

/**
 * Signal names per statement that looks for resembling declared names: each probes the trigram
 * index (a few ms against 100,000 declared names), so a large batch is many short statements
 * rather than one that runs into the statement limit.
 */
export const NAME_PROBES_PER_STATEMENT = 250;

/**
 * From this many distinct signal name keys on, resembling declared names are found in memory (every
 * declared key read once, candidates by trigram prefix filter, PostgreSQL decides them in one
 * statement) rather than by one index probe per key (a few ms each).
 */
export const NAMES_IN_MEMORY_FROM = 64;

/** Options of matchSignals, for tests and the benchmark. */
export interface MatchSignalsOptions {
  /** How many signal names one statement probes the trigram index with. */
  namesPerStatement?: number;
  /** From how many distinct signal name keys on the candidates are found in memory. */
  namesInMemoryFrom?: number;
  /** Filled with the milliseconds each step took. */
  timings?: Record<string, number>;
}

export interface MatchSettings {
  answerDays: number;
  baseUrl: string;
}

/** The audit actor of matching: it runs for whoever stored the signal or the declaration. */
export const MATCHING_ACTOR = 'signals:matching';

/** The order `matched_on` lists what matched in. */
const KIND_ORDER: readonly MatchKind[] = ['kvk', 'domain', 'mail_domain', 'as_number', 'ip_range', 'name'];

/**
 * The shortest name key that takes part in matching at all (equal or resembling). The register's
 * resemblance rule (keysResemble) lets keys of 4 characters resemble: right for flagging a look-alike
 * registration to a reviewer, too loose for a match whose confirmation unlocks the police's text. A
 * key is what is left of a name without legal forms and words every hosting name holds, so a
 * one-short-word guess ("Duister" for "Duister Datacenter": both `dulster`, 7) no longer matches,
 * while a real trade name of two words or one long word ("Schaduwhost", "Nachtwolk Reseller") does.
 * Eight characters: about two short words; a name that is shorter must be matched on an identifier.
 */
export const MIN_MATCH_NAME_KEY_LENGTH = 8;

/** Whether a name key is distinctive enough to match on (see MIN_MATCH_NAME_KEY_LENGTH). */
export const nameKeyMatches = (key: string): boolean => key.length >= MIN_MATCH_NAME_KEY_LENGTH;

/**
 * Whether one candidate reason counts: every exact identifier and IP overlap does; a name only when
 * both keys are long enough to name someone and resemble by the register's one rule (equal, or
 * similar enough).
 */
export function candidateCounts(
  row: Pick<CandidateRow, 'kind' | 'signal_key' | 'declared_key' | 'similarity'>,
): boolean {
  if (row.kind !== 'name') return true;
  const signalKey = row.signal_key ?? '';
  const declaredKey = row.declared_key ?? '';
  if (!nameKeyMatches(signalKey) || !nameKeyMatches(declaredKey)) return false;
  return keysResemble(signalKey, declaredKey, row.similarity ?? 0);
}

/** The HMACs of identifiers that name no one, for this key: left out of the matching (shared-domains.ts). */
const sharedMacsByKey = new WeakMap<Buffer, string[]>();
export function sharedMacs(keys: SignalKeys): string[] {
  let macs = sharedMacsByKey.get(keys.macKey);
  if (!macs) {
    macs = sharedIdentifiers().map(({ kind, value }) => identifierMac(keys.macKey, kind, value));
    sharedMacsByKey.set(keys.macKey, macs);
  }
  return macs;
}

/** What a pair is, from what matched: exact when any identifier matched, possible on names alone. */
export function matchKindOf(matchedOn: readonly MatchKind[]): 'exact' | 'possible' | undefined {
  if (matchedOn.length === 0) return undefined;
  return matchedOn.some((k) => k !== 'name') ? 'exact' : 'possible';
}

/** The candidate reasons folded into one match per (signal, declared reseller), reasons that do not count left out. */
export function foldCandidates(rows: readonly CandidateRow[]): NewMatch[] {
  const pairs = new Map<string, { row: CandidateRow; kinds: Set<MatchKind> }>();
  for (const row of rows) {
    if (!candidateCounts(row)) continue;
    const key = `${row.signal_id}/${row.declared_reseller_id}`;
    const pair = pairs.get(key) ?? { row, kinds: new Set<MatchKind>() };
    pair.kinds.add(row.kind);
    pairs.set(key, pair);
  }
  return [...pairs.values()].map(({ row, kinds }) => {
    const matchedOn = KIND_ORDER.filter((k) => kinds.has(k));
    return {
      signalId: row.signal_id,
      providerId: row.provider_id,
      declaredResellerId: row.declared_reseller_id,
      kind: matchKindOf(matchedOn)!,
      matchedOn,
    };
  });
}

/** The IP ranges and name keys of unsealed signals, as the parallel arrays the query takes. */
function unsealedParts(keys: SignalKeys, rows: { id: string; sealed: string }[]) {
  const parts = {
    ipSignalIds: [] as string[],
    ipRanges: [] as string[],
    nameSignalIds: [] as string[],
    nameKeys: [] as string[],
  };
  for (const row of rows) {
    const { identity } = keys.open(row.sealed);
    for (const range of identity.ipRanges) {
      parts.ipSignalIds.push(row.id);
      parts.ipRanges.push(range);
    }
    for (const key of new Set(identity.names.map(resellerNameKey))) {
      if (!nameKeyMatches(key)) continue;
      parts.nameSignalIds.push(row.id);
      parts.nameKeys.push(key);
    }
  }
  return parts;
}

/**
 * Records the matches and mails each provider with a new one once (counting signals, not matches).
 * One audit event per run, written also when nothing matched: the public log's leaves show neither
 * its kind nor its subject, and one event whatever the outcome means their number cannot tell a
 * supplier, who knows when it sent a signal, how many providers it matched (the outside tries).
 */
async function record(
  manager: EntityManager,
  matches: NewMatch[],
  settings: MatchSettings,
  now: Date,
): Promise<{ matches: number; providers: number }> {
  const created = matches.length > 0 ? await insertMatches(manager, matches, now, settings.answerDays) : [];
  const byProvider = new Map<string, { ids: string[]; signals: Set<string>; due: Date }>();
  for (const row of created) {
    const entry = byProvider.get(row.provider_id) ?? { ids: [], signals: new Set(), due: row.answer_due_at };
    entry.ids.push(row.id);
    entry.signals.add(row.signal_id);
    if (row.answer_due_at < entry.due) entry.due = row.answer_due_at;
    byProvider.set(row.provider_id, entry);
  }
  const link = `${settings.baseUrl}${paths.signalMatches}`;
  const providers = [...byProvider.keys()];
  const mails =
    providers.length > 0
      ? await mailUsersOfProviders(manager, providers, (providerId, to) => {
          const { signals, due } = byProvider.get(providerId)!;
          return mailTexts.signalMatchFound(to, signals.size, due, link);
        })
      : new Map<string, number>();
  if (created.length > 0)
    await markNotified(
      manager,
      created.map((row) => row.id),
      now,
    );
  await appendAuditEvent(manager, now, {
    actor: MATCHING_ACTOR,
    action: 'signal_match.found',
    subjectType: 'signal_match',
    subjectId: 'matching',
    data: {
      matches: created.length,
      providers: providers.map((providerId) => ({
        providerId,
        matchIds: byProvider.get(providerId)!.ids,
        mails: mails.get(providerId) ?? 0,
      })),
    },
  });
  return { matches: created.length, providers: byProvider.size };
}

/**
 * Matches these signals (those still current: not withdrawn, not expired on `now`'s Dutch date)
 * against every declared reseller not removed. In the caller's transaction.
 */
export async function matchSignals(
  manager: EntityManager,
  keys: SignalKeys,
  signalIds: string[],
  settings: MatchSettings,
  now: Date,
  options: MatchSignalsOptions = {},
): Promise<{ matches: number; providers: number }> {
  if (signalIds.length === 0) return { matches: 0, providers: 0 };
  const timings = options.timings ?? {};
  let mark = performance.now();
  const step = (name: string) => {
    const at = performance.now();
    timings[name] = (timings[name] ?? 0) + (at - mark);
    mark = at;
  };
  const today = toLocalDate(now);
  const signals = await currentSignals(manager, signalIds, today);
  if (signals.length === 0) return { matches: 0, providers: 0 };
  const parts = unsealedParts(keys, signals);
  step('unseal');
  const rows = await matchCandidates(manager, {
    signalIds: signals.map((s) => s.id),
    today,
    ...parts,
    declarationIds: null,
    sharedMacs: sharedMacs(keys),
    threshold: RESEMBLANCE_THRESHOLD,
    minLength: MIN_SIMILAR_KEY_LENGTH,
  });
  step('exact, IP and equal names');
  if (new Set(parts.nameKeys).size >= (options.namesInMemoryFrom ?? NAMES_IN_MEMORY_FROM)) {
    rows.push(...(await resemblingInMemory(manager, parts.nameSignalIds, parts.nameKeys)));
  } else {
    const chunk = options.namesPerStatement ?? NAME_PROBES_PER_STATEMENT;
    for (let i = 0; i < parts.nameKeys.length; i += chunk)
      rows.push(
        ...(await resemblingNames(
          manager,
          parts.nameSignalIds.slice(i, i + chunk),
          parts.nameKeys.slice(i, i + chunk),
          RESEMBLANCE_THRESHOLD,
          MIN_SIMILAR_KEY_LENGTH,
        )),
      );
  }
  step('resembling names');
  const outcome = await record(manager, foldCandidates(rows), settings, now);
  step('record and mail');
  return outcome;
}

/**
 * The declared names (not removed) that resemble these signal names without being equal, for a
 * large batch: every declared key read once, candidate pairs by the trigram prefix filter (pg_trgm's
 * own trigrams for keys with other than ASCII letters and digits), decided by PostgreSQL.
 */
export async function resemblingInMemory(
  manager: EntityManager,
  signalIds: string[],
  signalKeys: string[],
): Promise<CandidateRow[]> {
  const long = (k: string) => k.length >= MIN_SIMILAR_KEY_LENGTH;
  const left = [...new Set(signalKeys.filter(long))];
  if (left.length === 0) return [];
  const right = await declaredNameKeys(manager, MIN_SIMILAR_KEY_LENGTH);
  const other = [...new Set([...left, ...right].filter((key) => !isPlainKey(key)))];
  const fromPg = await pgTrigrams(manager, other);
  const pairs = resemblanceCandidates(left, right, fromPg, RESEMBLANCE_THRESHOLD);
  return resemblingPairs(
    manager,
    pairs,
    signalIds,
    signalKeys,
    RESEMBLANCE_THRESHOLD,
    MIN_SIMILAR_KEY_LENGTH,
  );
}

/**
 * Matches these declared resellers (those not removed) against every current signal. In the
 * caller's transaction. IP ranges and names of signals are sealed: they are read only when a
 * declaration has an IP range or a name.
 */
export async function matchDeclarations(
  manager: EntityManager,
  keys: SignalKeys,
  declaredResellerIds: string[],
  settings: MatchSettings,
  now: Date,
): Promise<{ matches: number; providers: number }> {
  if (declaredResellerIds.length === 0) return { matches: 0, providers: 0 };
  const today = toLocalDate(now);
  const signals = (await declarationsNeedUnsealing(manager, declaredResellerIds))
    ? await currentSignals(manager, null, today)
    : [];
  const rows = await matchCandidates(manager, {
    signalIds: null,
    today,
    ...unsealedParts(keys, signals),
    declarationIds: declaredResellerIds,
    sharedMacs: sharedMacs(keys),
    threshold: RESEMBLANCE_THRESHOLD,
    minLength: MIN_SIMILAR_KEY_LENGTH,
  });
  return record(manager, foldCandidates(rows), settings, now);
}
