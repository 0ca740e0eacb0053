import { parse } from 'csv-parse/sync';
import { isKvkNumber } from '../shared/identifiers';
import { isPeildatum, startOfLocalDay } from '../shared/time';
import type { StatusFact } from '../status/status-rules';

/** One participant of the Anti Abuse Netwerk, as the list gives it. */
export interface AanRow {
  /** 1-based line in the file. */
  line: number;
  kvkNumber: string;
  name: string;
  /** First day of participation. */
  since: string;
  /** First day of no longer participating, if participation ended. */
  until: string | null;
}

export interface RowProblem {
  line: number;
  /** A translation key under `aan.problem`. */
  problem: string;
  value: string;
}

/**
 * Reads the AAN participant list: `kvk_nummer;naam;deelname_sinds;deelname_tot` (also with commas),
 * a header line naming "kvk" is skipped. Every row is checked; any problem is reported with its line.
 */
export function parseAanList(text: string): { rows: AanRow[]; problems: RowProblem[] } {
  let records: string[][];
  try {
    records = parse(text.replace(/^\uFEFF/, ''), {
      delimiter: [';', ','],
      relax_column_count: true,
      skip_empty_lines: false,
      trim: true,
    });
  } catch (error) {
    return {
      rows: [],
      problems: [{ line: 0, problem: 'unreadable', value: (error as Error).message.slice(0, 200) }],
    };
  }
  const rows: AanRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  records.forEach((record, index) => {
    const line = index + 1;
    if (record.every((cell) => cell === '')) return;
    if (index === 0 && /kvk/i.test(record[0] ?? '')) return;
    const [kvk = '', name = '', since = '', until = ''] = record;
    const kvkNumber = kvk.replace(/[\s.]/g, '');
    const problem = (key: string, value: string) =>
      problems.push({ line, problem: key, value: value.slice(0, 100) });
    if (!isKvkNumber(kvkNumber)) return problem('kvkNumber', kvk);
    if (seen.has(kvkNumber)) return problem('duplicate', `${kvkNumber} (${seen.get(kvkNumber)})`);
    seen.set(kvkNumber, line);
    if (!isPeildatum(since)) return problem('since', since);
    if (until && !isPeildatum(until)) return problem('until', until);
    if (until && until <= since) return problem('untilBeforeSince', `${since} – ${until}`);
    rows.push({ line, kvkNumber, name: name.slice(0, 200), since, until: until || null });
  });
  if (rows.length === 0 && problems.length === 0) problems.push({ line: 0, problem: 'empty', value: '' });
  return { rows, problems };
}

export type AanChange = { kind: 'aan_participation_ended' | 'aan_participation_resumed'; effectiveAt: Date };

/**
 * What the list means for one provider with a listing whose AAN participation counts from
 * `aanSince`: an end that the history does not have yet, or a resumption after a recorded end.
 * Nothing when the history already says what the list says, so importing twice changes nothing.
 */
export function aanChange(
  row: AanRow,
  history: readonly StatusFact[],
  aanSince: Date,
  now: Date,
): AanChange | undefined {
  let lastEnd: StatusFact | undefined;
  let ended = false;
  for (const e of [...history].sort(
    (a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime() || a.sequence - b.sequence,
  )) {
    if (e.effectiveAt.getTime() < aanSince.getTime() || e.effectiveAt.getTime() > now.getTime()) continue;
    if (e.kind === 'aan_participation_ended') [ended, lastEnd] = [true, e];
    if (e.kind === 'aan_participation_resumed') ended = false;
  }
  const endsAt = row.until ? startOfLocalDay(row.until) : undefined;
  if (endsAt && endsAt.getTime() <= now.getTime()) {
    return ended
      ? undefined
      : {
          kind: 'aan_participation_ended',
          effectiveAt: new Date(Math.max(endsAt.getTime(), aanSince.getTime())),
        };
  }
  const startsAt = startOfLocalDay(row.since);
  if (ended && lastEnd && startsAt.getTime() <= now.getTime()) {
    return {
      kind: 'aan_participation_resumed',
      effectiveAt: new Date(Math.max(startsAt.getTime(), lastEnd.effectiveAt.getTime())),
    };
  }
  return undefined;
}
