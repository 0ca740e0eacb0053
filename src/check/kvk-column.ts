import { readKvkNumber } from '../shared/identifiers';
import type { HeaderRule, Spreadsheet } from '../shared/spreadsheet';
import { columnIndex } from '../shared/spreadsheet';

/**
 * A header cell, lower case with everything but letters and digits removed, that names the KvK
 * number: "KvK-nummer", "kvk nr.", "KvK number", "Chamber of Commerce", "CoC number",
 * "Kamer van Koophandel", "KvK nummer leverancier".
 */
const KVK_HEADER =
  /^(kvk|coc|kamervankoophandel|chamberofcommerce|handelsregister)(nummer|number|nr|no|num|registratienummer|registrationnumber)?/;

/** A header cell as it is compared: lower case, no accents, only letters and digits. */
export function headerKey(cell: string): string {
  return cell
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

export function namesKvkColumn(cell: string): boolean {
  const key = headerKey(cell);
  return key !== '' && (KVK_HEADER.test(key) || key.includes('kvk'));
}

/**
 * The header rule of a supplier list: a first row that names a KvK column is a header; one that
 * holds a KvK number is not; otherwise its shape decides (see looksLikeHeader).
 */
export const kvkListHeader = (cells: string[]): boolean | undefined => {
  if (cells.some((c) => readKvkNumber(c).kind === 'valid')) return false;
  if (cells.some(namesKvkColumn)) return true;
  return undefined;
};

/**
 * The header rule when the person named the KvK column by its header's text: a row with a cell of
 * that name is the header (whatever the name), otherwise as kvkListHeader.
 */
export function kvkListHeaderNamed(chosen?: string): HeaderRule {
  const wanted = headerKey(chosen ?? '');
  if (wanted === '' || columnNumber(chosen ?? '') !== undefined) return kvkListHeader;
  return (cells) => (cells.some((c) => headerKey(c) === wanted) ? true : kvkListHeader(cells));
}

/** A column given by its number as people count ("2" → 1), or undefined when it is not one. */
function columnNumber(value: string): number | undefined {
  return /^[0-9]{1,4}$/.test(value.trim()) ? Number(value.trim()) - 1 : undefined;
}

/** The share of a column's filled cells that read as KvK numbers (eight digits, or seven). */
function kvkShare(table: Spreadsheet, column: number): number {
  let filled = 0;
  let kvk = 0;
  for (const row of table.rows.slice(0, 500)) {
    const cell = row.cells[column] ?? '';
    if (cell === '') continue;
    filled++;
    if (readKvkNumber(cell).kind !== 'invalid') kvk++;
  }
  return filled === 0 ? 0 : kvk / filled;
}

/** The columns offered to choose from at most: a page of radio buttons, not of thousands. */
export const MAX_COLUMN_CHOICES = 24;

export type KvkColumn =
  | { kind: 'found'; column: number; by: 'header' | 'values' | 'only' | 'chosen' }
  /** No header names it and the values do not point at one column: the person chooses. */
  | { kind: 'unclear'; candidates: number[] };

/**
 * Which column holds the KvK numbers. A column the person named (a letter "B", a number "2" as
 * people count, or a header's text in any case and spacing) wins; then the header; then the values: the column where most cells read as KvK numbers,
 * when it clearly beats the others. A list of one column is that column.
 */
export function findKvkColumn(table: Spreadsheet, chosen?: string): KvkColumn | { kind: 'badChoice' } {
  if (chosen && chosen.trim() !== '') {
    const wanted = chosen.trim();
    const byHeader = table.header?.cells.findIndex((c) => headerKey(c) === headerKey(wanted)) ?? -1;
    const column = byHeader >= 0 ? byHeader : (columnNumber(wanted) ?? columnIndex(wanted));
    if (column === undefined || column < 0 || column >= Math.max(table.columnCount, 1))
      return { kind: 'badChoice' };
    return { kind: 'found', column, by: 'chosen' };
  }
  if (table.columnCount <= 1) return { kind: 'found', column: 0, by: 'only' };
  const shares = Array.from({ length: table.columnCount }, (_, column) => kvkShare(table, column));
  const named = (table.header?.cells ?? []).flatMap((cell, column) => (namesKvkColumn(cell) ? [column] : []));
  if (named.length === 1) return { kind: 'found', column: named[0] as number, by: 'header' };
  const pool = named.length > 1 ? named : shares.map((_, column) => column);
  const ranked = [...pool].sort((a, b) => (shares[b] ?? 0) - (shares[a] ?? 0));
  const [best, second] = ranked;
  const bestShare = best === undefined ? 0 : (shares[best] ?? 0);
  const secondShare = second === undefined ? 0 : (shares[second] ?? 0);
  // Half the cells at least, and clearly more than the next column: otherwise the person says.
  if (best !== undefined && bestShare >= 0.5 && bestShare - secondShare >= 0.3)
    return { kind: 'found', column: best, by: named.length > 1 ? 'header' : 'values' };
  // The columns with anything like a KvK number, likeliest first; a few dozen at most, in list order.
  const likely = ranked.filter((column) => (shares[column] ?? 0) > 0);
  const candidates = (likely.length > 0 ? likely : pool).slice(0, MAX_COLUMN_CHOICES);
  return { kind: 'unclear', candidates: candidates.sort((a, b) => a - b) };
}
