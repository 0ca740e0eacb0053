/*
 * Issue 19 §2: what a provider sees of the signals that match its declared resellers, and what it
 * answers. A signal's content is unsealed only for the provider's people while the match is current
 * (the signal neither withdrawn nor expired, the match not dismissed), and every read (a page view)
 * is one audit event `signal.read`, the ids it showed inside, in the same transaction. Another
 * provider's match is not found.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { actorOf, type PersonRole } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { isUuid } from '../shared/identifiers';
import { isOneLine } from '../shared/forbidden-characters';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import type { SignalKeys } from './signal-keys';
import { MATCH_ACTIONS, type MatchAction, signalReference } from './signal-terms';
import {
  answersOf,
  decideMatch,
  insertAnswer,
  type MatchRow,
  matchPageOfProvider,
  matchOfProvider,
  otherMatchesOfSignal,
} from './signal-match.queries';
import { signalsWithheld } from './signal-matching.queries';
import { recountOverdueTasks } from './signal-deadlines.queries';

export { MATCH_ACTIONS, type MatchAction } from './signal-terms';
export const MAX_NOTE = 2000;

export interface ProviderPerson {
  id: string;
  role: PersonRole;
  providerId: string;
}

/** A match as the provider's pages show it; `content` only while the match is current. */
export interface MatchView {
  id: string;
  url: string;
  signalNumber: string;
  category: string;
  confidence: string;
  observedOn: string;
  expiresOn: string;
  current: boolean;
  withdrawn: boolean;
  kind: 'exact' | 'possible';
  matchedOn: string[];
  matchedAt: Date;
  answerDueAt: Date;
  overdue: boolean;
  confirmed: boolean;
  dismissed: boolean;
  /** A possible match not yet confirmed or dismissed. */
  undecided: boolean;
  action: string | null;
  shared: boolean;
  reseller: { id: string; reference: string; names: string[]; removed: boolean };
  /**
   * The signal's text, only while the match is current and not a possible match the provider has
   * yet to confirm. Never the signal's identifiers: the provider sees which of its own reseller's
   * identifiers matched (`matchedOn`, `reseller`), not what else the police know (issue 19 §2; the
   * outside tries read whole signals through wide or guessed declarations otherwise).
   */
  content?: { text: string };
}

/** Whether a match shows the signal's text: current, and not a possible match still undecided. */
function showsContent(row: MatchRow): boolean {
  return row.current && !(row.kind === 'possible' && row.confirmed_at === null);
}

function viewOf(row: MatchRow, keys: SignalKeys, now: Date, withheld = false): MatchView {
  return {
    id: row.id,
    url: paths.signalMatch(row.id),
    signalNumber: signalReference(row.number),
    category: row.category,
    confidence: row.confidence,
    observedOn: row.observed_on,
    expiresOn: row.expires_on,
    current: row.current,
    withdrawn: row.withdrawn,
    kind: row.kind,
    matchedOn: row.matched_on,
    matchedAt: row.matched_at,
    answerDueAt: row.answer_due_at,
    overdue: row.first_answered_at === null && row.answer_due_at < now,
    confirmed: row.confirmed_at !== null,
    dismissed: row.dismissed_at !== null,
    undecided: row.kind === 'possible' && row.confirmed_at === null && row.dismissed_at === null,
    action: row.action,
    shared: row.shared_at !== null,
    reseller: {
      id: row.declared_reseller_id,
      reference: row.reference,
      names: row.names,
      removed: row.removed,
    },
    ...(!withheld && showsContent(row) ? { content: { text: keys.open(row.sealed).text } } : {}),
  };
}

/**
 * Records one read: the provider's person was shown these signals' content (one page view or API
 * call, one audit event `signal.read` with the signal and match ids inside its data), written also
 * when the view showed none. Its public leaf is confidential (id and time only), so one leaf per
 * read whatever it showed means their number cannot tell how many signals matched the provider (the
 * outside tries counted a burst of one leaf per match shown, view by view: F20).
 */
async function recordRead(
  manager: EntityManager,
  person: ProviderPerson,
  view: 'list' | 'match',
  shown: MatchRow[],
  now: Date,
) {
  const signalIds = [...new Set(shown.map((row) => row.signal_id))].sort();
  await appendAuditEvent(manager, now, {
    actor: actorOf(person),
    action: 'signal.read',
    subjectType: 'provider',
    subjectId: person.providerId,
    data: {
      audience: 'provider',
      providerId: person.providerId,
      view,
      signalIds,
      matchIds: shown.map((row) => row.id).sort(),
    },
  });
}

/**
 * A signal as the provider's list shows it: once, however many of the provider's resellers it
 * matches, with each of those matches (its own reseller, reason, deadline and answer: a provider
 * answers per match, on the match's page).
 */
export interface SignalEntry {
  /** The signal's id: its number is the supplier's, so two suppliers' signals may share one. */
  signalId: string;
  signalNumber: string;
  category: string;
  confidence: string;
  observedOn: string;
  /** Any of its matches current (the signal neither withdrawn nor expired, that match not dismissed). */
  current: boolean;
  withdrawn: boolean;
  /** Every match dismissed: the signal is no business of the provider's any more. */
  dismissed: boolean;
  /** The signal's text, when any of its matches shows it. */
  content?: { text: string };
  /** No match shows the text yet, and a possible match waits for the provider to confirm it. */
  contentAfterConfirmation: boolean;
  matches: MatchView[];
}

function withoutContent(view: MatchView): MatchView {
  const copy = { ...view };
  delete copy.content;
  return copy;
}

/**
 * The matches (newest first, each with its signal's id) folded into one entry per signal, in the
 * order of each signal's newest match.
 */
export function signalEntries(matches: { signalId: string; view: MatchView }[]): SignalEntry[] {
  const bySignal = new Map<string, MatchView[]>();
  for (const { signalId, view } of matches) bySignal.set(signalId, [...(bySignal.get(signalId) ?? []), view]);
  return [...bySignal].map(([signalId, views]) => {
    const first = views[0]!;
    const content = views.find((v) => v.content)?.content;
    return {
      signalId,
      signalNumber: first.signalNumber,
      category: first.category,
      confidence: first.confidence,
      observedOn: first.observedOn,
      current: views.some((v) => v.current),
      withdrawn: first.withdrawn,
      dismissed: views.every((v) => v.dismissed),
      ...(content ? { content } : {}),
      contentAfterConfirmation: !content && views.some((v) => v.current && v.undecided),
      // The text shows once, for the signal: not again with each match.
      matches: views.map(withoutContent),
    };
  });
}

/** Signals shown on one page of /account/signalen (F21), as the other lists of the register. */
export const MATCH_PAGE_SIZE = 50;

/**
 * One page of the provider's signals, those waiting for an answer first (matchPageOfProvider), one
 * entry per signal with its matches: current ones (any match current) with the signal's content
 * (the page's read audited once), earlier ones without. A page past the end shows the last page.
 */
export function providerMatches(
  dataSource: DataSource,
  keys: SignalKeys,
  person: ProviderPerson,
  now: Date,
  requestedPage = 1,
): Promise<{
  current: SignalEntry[];
  earlier: SignalEntry[];
  withheld: boolean;
  total: number;
  page: number;
  pageCount: number;
}> {
  return dataSource.transaction(async (manager) => {
    const withheld = await signalsWithheld(manager, person.providerId);
    const today = toLocalDate(now);
    const read = (page: number) =>
      matchPageOfProvider(manager, person.providerId, today, MATCH_PAGE_SIZE, (page - 1) * MATCH_PAGE_SIZE);
    let page = requestedPage;
    let { rows, total } = await read(page);
    const pageCount = Math.max(1, Math.ceil(total / MATCH_PAGE_SIZE));
    if (page > pageCount) {
      page = pageCount;
      ({ rows, total } = await read(page));
    }
    const currentSignals = new Set(rows.filter((r) => r.current).map((r) => r.signal_id));
    const shown = rows.filter((r) => currentSignals.has(r.signal_id));
    const earlier = rows.filter((r) => !currentSignals.has(r.signal_id));
    await recordRead(manager, person, 'list', withheld ? [] : shown.filter(showsContent), now);
    const entries = (list: MatchRow[]) =>
      signalEntries(list.map((r) => ({ signalId: r.signal_id, view: viewOf(r, keys, now, withheld) })));
    return { current: entries(shown), earlier: entries(earlier), withheld, total, page, pageCount };
  });
}

async function ownMatch(
  manager: EntityManager,
  person: ProviderPerson,
  id: string,
  now: Date,
  forUpdate = false,
) {
  if (!isUuid(id)) throw new NotFoundError();
  const row = await matchOfProvider(manager, person.providerId, id, toLocalDate(now), forUpdate);
  if (!row) throw new NotFoundError();
  return row;
}

/** One of the provider's matches with its answers; the content read is audited. Another's: not found. */
export function providerMatch(
  dataSource: DataSource,
  keys: SignalKeys,
  person: ProviderPerson,
  id: string,
  now: Date,
): Promise<{
  match: MatchView;
  answers: { action: string; note: string; answered_at: Date }[];
  withheld: boolean;
  /** The provider's other resellers this signal matches: each match is answered on its own page. */
  others: MatchView[];
}> {
  return dataSource.transaction(async (manager) => {
    const row = await ownMatch(manager, person, id, now);
    const withheld = await signalsWithheld(manager, person.providerId);
    // One read event whatever the page shows (none when withheld): its count tells nothing.
    await recordRead(manager, person, 'match', !withheld && showsContent(row) ? [row] : [], now);
    const others = await otherMatchesOfSignal(manager, person.providerId, row, toLocalDate(now));
    return {
      match: viewOf(row, keys, now, withheld),
      answers: await answersOf(manager, row.id),
      withheld,
      // Without the signal's text: this page shows it (or not) by its own match.
      others: others.map((other) => withoutContent(viewOf(other, keys, now, withheld))),
    };
  });
}

/** Confirms or dismisses a possible match, once; audited. */
export function decidePossibleMatch(
  dataSource: DataSource,
  person: ProviderPerson,
  id: string,
  decision: string,
  now: Date,
): Promise<void> {
  return dataSource.transaction(async (manager) => {
    const row = await ownMatch(manager, person, id, now, true);
    if (decision !== 'confirm' && decision !== 'dismiss')
      throw new ValidationError({ matchDecision: ['signalMatches.decisionRequired'] });
    if (row.kind !== 'possible' || row.confirmed_at || row.dismissed_at || !row.current)
      throw new ConflictError('signalMatches.decidedAlready', {
        backTo: paths.signalMatch(id),
        kind: 'notNow',
      });
    await decideMatch(manager, id, decision, person.id, now);
    // A dismissed match waits for no answer: the reviewers' overdue task counts it no more (F8).
    if (decision === 'dismiss') await recountOverdueTasks(manager, now, { only: [person.providerId] });
    await appendAuditEvent(manager, now, {
      actor: actorOf(person),
      action: decision === 'confirm' ? 'signal_match.confirmed' : 'signal_match.dismissed',
      subjectType: 'signal_match',
      subjectId: id,
    });
  });
}

export interface AnswerForm {
  action: string;
  note: string;
  share: string;
}

/** Reads an answer as typed: a known action, a note of at most 2,000 characters, required for a dispute. */
export function readAnswer(form: AnswerForm): { action: MatchAction; note: string; share: boolean } {
  const fields: Record<string, string[]> = {};
  const note = form.note.trim().replace(/\r\n/g, '\n');
  if (!(MATCH_ACTIONS as readonly string[]).includes(form.action))
    fields.matchAction = ['signalMatches.actionRequired'];
  if (note.length > MAX_NOTE) fields.matchNote = ['signalMatches.noteTooLong'];
  else if (form.action === 'disputed' && note === '') fields.matchNote = ['signalMatches.disputeReason'];
  else if (note.split('\n').some((line) => line !== '' && !isOneLine(line)))
    fields.matchNote = ['signalMatches.noteCharacters'];
  if (Object.keys(fields).length > 0) throw new ValidationError(fields, undefined, { max: MAX_NOTE });
  return { action: form.action as MatchAction, note, share: form.share === '1' };
}

/**
 * Records what the provider did about a match: the answer in force, the first answer's time, and
 * whether the supplier may see it (shared). A possible match must be confirmed first; a match no
 * longer current cannot be answered. Audited.
 */
export function answerMatch(
  dataSource: DataSource,
  person: ProviderPerson,
  id: string,
  form: AnswerForm,
  now: Date,
): Promise<void> {
  return dataSource.transaction(async (manager) => {
    const row = await ownMatch(manager, person, id, now, true);
    const answer = readAnswer(form);
    if (!row.current)
      throw new ConflictError('signalMatches.notCurrent', { backTo: paths.signalMatch(id), kind: 'notNow' });
    if (row.kind === 'possible' && !row.confirmed_at)
      throw new ValidationError({ matchAction: ['signalMatches.confirmFirst'] });
    // The same answer again (a second click, a form sent twice) is the answer in force already.
    const [inForce] = await answersOf(manager, id);
    if (
      inForce?.action === answer.action &&
      inForce.note === answer.note &&
      (row.shared_at !== null) === answer.share
    )
      return;
    await insertAnswer(manager, id, answer, person.id, now);
    // Answered (late): the reviewers' overdue task shows the figure of now, not the night's (F8).
    if (row.first_answered_at === null)
      await recountOverdueTasks(manager, now, { only: [person.providerId] });
    await appendAuditEvent(manager, now, {
      actor: actorOf(person),
      action: 'signal_match.answered',
      subjectType: 'signal_match',
      subjectId: id,
      data: { action: answer.action, shared: answer.share, first: row.first_answered_at === null },
    });
  });
}
