import { parse } from 'csv-parse/sync';
import { lineWithForbiddenCharacters } from '../shared/forbidden-characters';
import { isKvkNumber } from '../shared/identifiers';
import { isPeildatum } from '../shared/time';
import { decodeText } from '../shared/spreadsheet';

/** One participant of the Anti Abuse Netwerk, as the list gives it. */
export interface AanRow {
  /** 1-based line in the file. */
  line: number;
  kvkNumber: string;
  name: string;
  /** First day of participation. */
  since: string;
  /** First day of no longer participating, if participation ended or is to end. */
  until: string | null;
}

export interface RowProblem {
  /** 1-based line in the file; 0 for the file as a whole. */
  line: number;
  /** A translation key under `aan.problem`. */
  problem: string;
  value: string;
  /** For `missingColumns`: the columns the header lacks, and a header cell that looks like one. */
  missing?: string;
  suggestion?: { cell: string; column: string };
}

/** The columns the list must name in its first line, in any order; `naam` may be left out. */
export const AAN_COLUMNS = ['kvk_nummer', 'naam', 'deelname_sinds', 'deelname_tot'] as const;
type AanColumn = (typeof AAN_COLUMNS)[number];
const REQUIRED: readonly AanColumn[] = ['kvk_nummer', 'deelname_sinds', 'deelname_tot'];
// Header spellings people type for the same column ("KvK-nummer", "kvk nummer", "KVK", "sinds").
const ALIASES: Record<string, AanColumn> = {
  kvk: 'kvk_nummer',
  kvknummer: 'kvk_nummer',
  sinds: 'deelname_sinds',
  tot: 'deelname_tot',
};

/** Edit distance (insertions, deletions, substitutions) between two short strings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (const [i, ca] of [...a].entries()) {
    const current = [i + 1];
    for (const [j, cb] of [...b].entries())
      current.push(
        Math.min((previous[j + 1] ?? 0) + 1, (current[j] ?? 0) + 1, (previous[j] ?? 0) + (ca === cb ? 0 : 1)),
      );
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** A header cell naming no known column that is a typo away (two edits at most) from a missing one. */
function lookalike(cells: string[], missing: readonly AanColumn[]) {
  for (const cell of cells) {
    const name = columnName(cell);
    if ((AAN_COLUMNS as readonly string[]).includes(name)) continue;
    const column = missing.find((c) => distance(name, c) <= 2);
    if (column) return { cell: cell.trim(), column };
  }
  return undefined;
}

function columnName(cell: string): string {
  const name = cell
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return ALIASES[name] ?? ALIASES[name.replace(/_/g, '')] ?? name;
}

/**
 * The separator of the list: the one its header line uses (`;` as Dutch Excel writes, tab, or
 * `,`). Only that one splits cells, so a comma in an unquoted name of a `;` list stays in the name.
 */
export function detectSeparator(headerLine: string): ';' | '\t' | ',' {
  const outsideQuotes = headerLine.replace(/"[^"]*"/g, '');
  if (outsideQuotes.includes(';')) return ';';
  if (outsideQuotes.includes('\t')) return '\t';
  return ',';
}

/** The largest AAN list the import takes, in the web form and on the command line alike. */
export const AAN_LIST_MAX_BYTES = 5 * 1024 * 1024;

/**
 * UTF-16 without its byte order mark is valid UTF-8 (its ASCII characters come with a zero byte
 * each): a file whose first bytes are a quarter zeros or more is taken for it.
 */
function looksLikeUtf16(file: Buffer): boolean {
  const start = file.subarray(0, 4096);
  return start.length >= 2 && start.filter((b) => b === 0).length * 4 >= start.length;
}

/** The file's text when it is UTF-8 (with or without a byte-order mark); undefined otherwise. */
export function decodeAanFile(file: Buffer): string | undefined {
  if (looksLikeUtf16(file)) return undefined;
  const { text, charset } = decodeText(file);
  return charset === 'utf-8' ? text.replace(/^\uFEFF/, '') : undefined;
}

/** What a file that is not UTF-8 looks like, for the refusal: UTF-16, or else Windows-1252. */
export function lookalikeCharset(file: Buffer): 'UTF-16' | 'Windows-1252' {
  return looksLikeUtf16(file) || decodeText(file).charset.startsWith('utf-16') ? 'UTF-16' : 'Windows-1252';
}

/** A record as csv-parse gives it with `info` and `raw`: `lines` counts up to the record's end. */
interface ParsedRecord {
  record: string[];
  info: { lines: number };
  raw: string;
}

/** The line a record starts on (a quoted cell may hold line breaks). */
function startLine({ info, raw }: ParsedRecord): number {
  return info.lines - (raw.replace(/(\r\n|\n|\r)$/, '').match(/\r\n|\n|\r/g)?.length ?? 0);
}

function refused(problem: string, value = '', line = 0): { rows: AanRow[]; problems: RowProblem[] } {
  return { rows: [], problems: [{ line, problem, value: value.slice(0, 200) }] };
}

/**
 * Reads the AAN participant list. The first line names the columns (`kvk_nummer`, `naam`,
 * `deelname_sinds`, `deelname_tot`, in any order; other columns are ignored), and its separator
 * is the list's. Every row is checked; any problem is reported with its line.
 */
export function parseAanList(text: string): { rows: AanRow[]; problems: RowProblem[] } {
  const content = text.replace(/^\uFEFF/, '');
  const badLine = lineWithForbiddenCharacters(content);
  if (badLine) return refused('controlCharacters', '', badLine);
  const headerLine = content.split(/\r\n|\n|\r/, 1)[0] ?? '';
  if (headerLine.trim() === '') return refused(content.trim() === '' ? 'empty' : 'header', '', 1);
  let records: ParsedRecord[];
  try {
    records = parse(content, {
      delimiter: detectSeparator(headerLine),
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
      info: true,
      raw: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    return refused('unreadable', (error as Error).message);
  }
  const [header, ...body] = records;
  const names = (header?.record ?? []).map(columnName);
  const index = new Map<string, number>();
  for (const [i, name] of names.entries()) {
    if (index.has(name) && (AAN_COLUMNS as readonly string[]).includes(name))
      return refused('duplicateColumn', name, 1);
    index.set(name, i);
  }
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length > 0) {
    // The value is the header line as the file has it, so a typo in it shows where it is.
    const suggestion = lookalike(header?.record ?? [], missing);
    const problem = { line: 1, problem: 'missingColumns', value: headerLine.trim().slice(0, 200) };
    return {
      rows: [],
      problems: [{ ...problem, missing: missing.join(', '), ...(suggestion && { suggestion }) }],
    };
  }
  const cell = (record: string[], column: AanColumn) => record[index.get(column) ?? -1] ?? '';

  const rows: AanRow[] = [];
  const problems: RowProblem[] = [];
  const seen = new Map<string, number>();
  for (const parsed of body) {
    const { record } = parsed;
    const line = startLine(parsed);
    if (record.every((c) => c === '')) continue;
    const kvk = cell(record, 'kvk_nummer');
    const since = cell(record, 'deelname_sinds');
    const until = cell(record, 'deelname_tot');
    const kvkNumber = kvk.replace(/[\s.]/g, '');
    const problem = (key: string, value: string) =>
      problems.push({ line, problem: key, value: value.slice(0, 100) });
    if (!isKvkNumber(kvkNumber)) {
      problem('kvkNumber', kvk);
      continue;
    }
    if (seen.has(kvkNumber)) {
      problem('duplicate', `${kvkNumber} (${seen.get(kvkNumber)})`);
      continue;
    }
    seen.set(kvkNumber, line);
    if (!isPeildatum(since)) problem('since', since);
    else if (until && !isPeildatum(until)) problem('until', until);
    else if (until && until <= since) problem('untilBeforeSince', `${since} – ${until}`);
    else
      rows.push({ line, kvkNumber, name: cell(record, 'naam').slice(0, 200), since, until: until || null });
  }
  if (rows.length === 0 && problems.length === 0) return refused('empty');
  return { rows, problems };
}
