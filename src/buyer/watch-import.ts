import { columnLetter } from '../shared/spreadsheet';
import { hasForbiddenCharacters, markForbiddenCharacters } from '../shared/forbidden-characters';
import { readKvkNumber } from '../shared/identifiers';
import { readSupplierList, type SupplierList } from '../check/bulk-list';
import type { WatchEntryInput } from './watch-list.queries';
import { findWatchColumns, type WatchColumns } from './watch-list-rules';
import { readEntry } from './watch-list.service';

/*
 * A watch list filled from a spreadsheet (issue 18 §2), read by the bulk check's reader: .xlsx or
 * CSV in any encoding, the KvK column found as the bulk check finds it, and the optional columns
 * (reference, contract start and end) by their headers. Every row is shown before anything is
 * added, each with its problems: a row with a bad KvK number is listed, never silently dropped.
 */

/** One row of the list as the preview shows it. */
export interface ImportRow {
  /** The row's number in the file, as the person sees it. */
  line: number;
  kvkInput: string;
  reference: string;
  contractStart: string;
  contractEnd: string;
  /** What will be added; undefined when the row has a problem. */
  entry?: WatchEntryInput;
  /** The row's problems: the field (as the entry form names it) and the translation key of the message. */
  problems: { field: string; key: string }[];
  /** A seven-digit number whose leading zero was put back. */
  zeroRestored?: true;
  /** The line this row repeats (same KvK number and reference): it is added once. */
  sameAs?: number;
}

export interface WatchImport {
  rows: ImportRow[];
  /** The columns read, as letters (for the preview to say). */
  columns: { kvk: string; reference?: string; contractStart?: string; contractEnd?: string };
  /** The entries to add: the good rows, each once. */
  entries: WatchEntryInput[];
  /** When the KvK column is unclear: the columns to choose from (letters). */
  choices?: string[];
}

/** Reads an uploaded list for a watch list; a file that cannot be read is a ValidationError on `bestand`. */
export async function readWatchImport(bytes: Buffer, column?: string): Promise<WatchImport> {
  // A row with a text-direction mark or control character is one problem row, not a refused file.
  const list = await readSupplierList(
    { bytes },
    { column, field: 'bestand', forbiddenCharacters: 'keep', emptyKey: 'watch.importEmpty' },
  );
  if (list.kvkColumn === undefined)
    return {
      rows: [],
      columns: { kvk: '' },
      entries: [],
      choices: (list.candidates ?? []).map(columnLetter),
    };
  return importRows({ ...list, kvkColumn: list.kvkColumn });
}

function importRows(list: SupplierList & { kvkColumn: number }): WatchImport {
  const found = findWatchColumns(list.table.header?.cells ?? []);
  // A header that names the KvK column too ("contractnummer" beside "KvK"): the KvK column wins.
  const columns: WatchColumns = Object.fromEntries(
    Object.entries(found).filter(([, index]) => index !== list.kvkColumn),
  );
  const cell = (cells: string[], index: number | undefined) =>
    index === undefined ? '' : (cells[index] ?? '');
  const seen = new Map<string, number>();
  const entries: WatchEntryInput[] = [];
  const rows = list.table.rows.map((row): ImportRow => {
    const kvkInput = cell(row.cells, list.kvkColumn);
    const reading = readKvkNumber(kvkInput);
    const typed = {
      // A lost leading zero is put back (a spreadsheet read the number as a number); the preview says so.
      kvkNumber: reading.kind === 'leadingZeroLost' ? reading.kvkNumber : kvkInput,
      reference: cell(row.cells, columns.reference),
      contractStart: cell(row.cells, columns.contractStart),
      contractEnd: cell(row.cells, columns.contractEnd),
    };
    const read = readEntry(typed);
    const base = {
      line: row.number,
      kvkInput: markForbiddenCharacters(kvkInput),
      reference: markForbiddenCharacters(typed.reference),
      contractStart: markForbiddenCharacters(typed.contractStart),
      contractEnd: markForbiddenCharacters(typed.contractEnd),
      ...(reading.kind === 'leadingZeroLost' ? { zeroRestored: true as const } : {}),
    };
    // Every field read is checked: a forbidden character in the KvK number or a date would not
    // read as one, and one in the reference is no one-line text.
    const marked = [kvkInput, typed.contractStart, typed.contractEnd].some(hasForbiddenCharacters);
    if (marked && !read.problems)
      return { ...base, problems: [{ field: 'bestand', key: 'watch.rowControlCharacters' }] };
    if (read.problems)
      return {
        ...base,
        problems: Object.entries(read.problems).flatMap(([field, keys]) =>
          keys.map((key) => ({ field, key })),
        ),
      };
    const key = `${read.entry.kvkNumber}|${read.entry.reference}`;
    const first = seen.get(key);
    if (first !== undefined) return { ...base, problems: [], sameAs: first };
    seen.set(key, row.number);
    entries.push(read.entry);
    return { ...base, entry: read.entry, problems: [] };
  });
  const letter = (index: number | undefined) => (index === undefined ? undefined : columnLetter(index));
  return {
    rows,
    entries,
    columns: {
      kvk: columnLetter(list.kvkColumn),
      reference: letter(columns.reference),
      contractStart: letter(columns.contractStart),
      contractEnd: letter(columns.contractEnd),
    },
  };
}
