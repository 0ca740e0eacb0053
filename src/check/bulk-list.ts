import { gunzipSync, gzipSync } from 'node:zlib';
import { PassThrough } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { EXCEL_CSV, safeCell } from '../shared/csv';
import { type Language, translate } from '../shared/i18n';
import { columnLetter, readSpreadsheet, type Spreadsheet, SpreadsheetError } from '../shared/spreadsheet';
import { toLocalDateTime } from '../shared/time';
import { ValidationError } from '../shared/errors';
import { type BulkResult, type BulkResultRow, MAX_BULK_ROWS } from './bulk-check.service';
import { findKvkColumn, kvkListHeaderNamed, MAX_COLUMN_CHOICES } from './kvk-column';

/*
 * A buyer's supplier list as they have it (any columns, the KvK number anywhere, with or without a
 * header), and the answer as the same list with the register's columns added.
 */

/** The largest file a bulk check takes: an .xlsx of 10,000 rows with a few columns is about 0.4 MB. */
export const MAX_LIST_BYTES = 4 * 1024 * 1024;

/** The columns a list may have: a supplier list has a handful; a line of 230,000 is an attack. */
export const MAX_LIST_COLUMNS = 100;

export interface SupplierList {
  table: Spreadsheet;
  /** The column with the KvK numbers, 0-based; undefined while the person has to choose. */
  kvkColumn?: number;
  /** When the column is unclear: the columns to choose from. */
  candidates?: number[];
}

/** One column to choose from: its letter, its header (if any) and a few values from it. */
export interface ColumnChoice {
  letter: string;
  header?: string;
  samples: string[];
}

/**
 * Reads a list (uploaded bytes or pasted text) and finds its KvK column. `column` is the person's
 * choice (a letter, or a header's text). A list that cannot be read is a ValidationError on
 * `field`, with the reader's reason; an empty list too.
 */
export async function readSupplierList(
  input: { bytes: Buffer } | { text: string },
  options: {
    column?: string;
    field: string;
    /** `keep`: rows with a forbidden character are read, for the caller to list as problems. */
    forbiddenCharacters?: 'refuse' | 'keep';
    /** The message of a list without rows; the bulk check's (which names its text field too) unless given. */
    emptyKey?: string;
  },
): Promise<SupplierList> {
  let table: Spreadsheet;
  try {
    table = await readSpreadsheet(input, {
      maxRows: MAX_BULK_ROWS,
      maxUnpackedBytes: 20 * 1024 * 1024,
      maxColumns: MAX_LIST_COLUMNS,
      header: kvkListHeaderNamed(options.column),
      forbiddenCharacters: options.forbiddenCharacters ?? 'refuse',
    });
  } catch (error) {
    if (error instanceof SpreadsheetError) {
      const key = error.problem === 'tooManyRows' ? 'bulk.tooMany' : error.key;
      throw new ValidationError({ [options.field]: [key] }, undefined, error.params);
    }
    throw error;
  }
  if (table.rows.length === 0)
    throw new ValidationError({ [options.field]: [options.emptyKey ?? 'bulk.empty'] });
  const found = findKvkColumn(table, options.column);
  if (found.kind === 'badChoice') throw new ValidationError({ kolom: ['bulk.badColumn'] });
  if (found.kind === 'unclear') return { table, candidates: found.candidates };
  return { table, kvkColumn: found.column };
}

/** The columns of a list to choose the KvK column from, each with up to three values. */
export function columnChoices(table: Spreadsheet, columns: number[]): ColumnChoice[] {
  // A cell can be megabytes long: the page shows the start of each.
  const shortened = (text: string) => (text.length > 60 ? `${text.slice(0, 60)}…` : text);
  return columns.slice(0, MAX_COLUMN_CHOICES).map((column) => ({
    letter: columnLetter(column),
    ...(table.header?.cells[column] ? { header: shortened(table.header.cells[column]) } : {}),
    samples: table.rows
      .map((r) => r.cells[column] ?? '')
      .filter((v) => v !== '')
      .slice(0, 3)
      .map(shortened),
  }));
}

/** The rows of the list as the bulk check takes them. */
export function checkRows(list: SupplierList & { kvkColumn: number }) {
  return list.table.rows.map((row) => ({ line: row.number, kvkInput: row.cells[list.kvkColumn] ?? '' }));
}

/** A cell of a download: text, an instant (Sinds, Geldig tot), a day (Peildatum), a number (Regel), a link. */
export type SheetCell = string | number | Date | { day: string } | { text: string; hyperlink: string };
type AnswerCell = SheetCell;

interface AnswerSheet {
  header: string[];
  rows: AnswerCell[][];
  /** How many of the columns are the list's own (the rest are the register's). */
  ownColumns: number;
}

/**
 * The words of a row's note: a lost leading zero restored or suggested, two leading zeros of ten
 * digits left out, the line it repeats, or an empty KvK cell.
 */
export function rowNote(row: BulkResultRow, language: Language): string {
  if (row.leadingZero === 'restored')
    return translate(language, 'bulk.note.leadingZeroRestored', { kvk: row.kvkNumber });
  if (row.leadingZero === 'suggested')
    return translate(language, 'bulk.note.leadingZeroSuggested', { kvk: row.kvkNumber });
  if (row.tenDigits) return translate(language, 'bulk.note.tenDigits', { kvk: row.kvkNumber });
  if (row.firstLine) return translate(language, 'bulk.sameAs', { line: row.firstLine });
  if (row.outcome === 'ongeldig' && row.kvkInput.trim() === '') return translate(language, 'bulk.note.empty');
  return '';
}

/**
 * The answer as a table: every column of the list as it came, then the register's: outcome and
 * reason in words, since, valid until, the name in the register, the link to its page, a note,
 * the row's number in the list and the peildatum.
 */
function answerSheet(
  table: Spreadsheet,
  result: BulkResult,
  language: Language,
  providerUrl: (kvk: string) => string,
): AnswerSheet {
  const t = (key: string) => translate(language, key);
  const own =
    table.header?.cells ??
    Array.from({ length: table.columnCount }, (_, i) => `${t('bulk.columnLetter')} ${columnLetter(i)}`);
  const header = [
    ...own,
    t('bulk.columns.outcome'),
    t('bulk.columns.reason'),
    t('bulk.columns.since'),
    t('bulk.columns.until'),
    t('bulk.columns.registeredName'),
    t('bulk.columns.link'),
    t('bulk.columns.readAs'),
    t('bulk.columns.note'),
    t('bulk.columns.line'),
    t('bulk.columns.peildatum'),
  ];
  const byLine = new Map(result.rows.map((r) => [r.line, r]));
  const rows = table.rows.map((row): AnswerCell[] => {
    const answer = byLine.get(row.number);
    const cells: AnswerCell[] = [...row.cells];
    if (!answer) return cells;
    const url = answer.legalName && answer.kvkNumber ? providerUrl(answer.kvkNumber) : '';
    cells.push(
      t(`bulk.outcome.${answer.outcome}`),
      answer.reason ? t(`status.filter.${answer.reason}`) : '',
      answer.since ?? '',
      answer.until ?? '',
      answer.legalName ?? '',
      url ? { text: url, hyperlink: url } : '',
      // The eight digits checked (with a lost zero back, two extra zeros left out), empty when none.
      answer.kvkNumber && answer.leadingZero !== 'suggested' ? answer.kvkNumber : '',
      rowNote(answer, language),
      row.number,
      { day: result.peildatum },
    );
    return cells;
  });
  return { header, rows, ownColumns: own.length };
}

/** An instant as Dutch Excel reads a date and time from CSV: `2025-06-30 09:05`, Amsterdam time. */
const csvDateTime = (instant: Date) => toLocalDateTime(instant).slice(0, 16).replace('T', ' ');

const csvCell = (cell: AnswerCell): string =>
  cell instanceof Date
    ? csvDateTime(cell)
    : typeof cell === 'string'
      ? safeCell(cell)
      : typeof cell === 'number'
        ? String(cell)
        : 'day' in cell
          ? cell.day
          : cell.text;

/**
 * The answer as CSV that opens correctly in Excel with Dutch settings: UTF-8 with a byte-order
 * mark, semicolons and CRLF line ends; no cell can start a formula.
 */
export function answerCsv(
  table: Spreadsheet,
  result: BulkResult,
  language: Language,
  providerUrl: (kvk: string) => string,
): string {
  const sheet = answerSheet(table, result, language, providerUrl);
  return sheetCsv(sheet.header, sheet.rows);
}

/**
 * A table as CSV that opens correctly in Excel with Dutch settings: UTF-8 with a byte-order mark,
 * semicolons and CRLF line ends; no cell can start a formula. The bulk check's answer and a watch
 * list's download (issue 18) both.
 */
export function sheetCsv(header: string[], rows: SheetCell[][]): string {
  return stringify([header.map(safeCell), ...rows.map((r) => r.map(csvCell))], EXCEL_CSV);
}

/** An instant as Amsterdam's wall clock, the way Excel shows a date cell (it knows no time zones). */
const wallClock = (instant: Date) => new Date(`${toLocalDateTime(instant).slice(0, 19)}Z`);

/**
 * The answer as an .xlsx workbook: the list's own cells as text (a KvK number keeps its leading
 * zero), dates as date cells, the link as a hyperlink; the header row bold and frozen, the widths
 * fitted to the contents. No cell is a formula: text that starts with = stays that text, without the
 * apostrophe the CSV needs.
 */
export async function answerXlsx(
  table: Spreadsheet,
  result: BulkResult,
  language: Language,
  providerUrl: (kvk: string) => string,
): Promise<Buffer> {
  const sheet = answerSheet(table, result, language, providerUrl);
  return sheetXlsx(sheet.header, sheet.rows, {
    sheetName: translate(language, 'bulk.sheetName'),
    // The list's own columns and the number read are text: Excel must not turn 01234567 into 1234567 when edited.
    textColumns: [...Array.from({ length: sheet.ownColumns }, (_, i) => i), sheet.ownColumns + 6],
    dateTimeColumns: [sheet.ownColumns + 2, sheet.ownColumns + 3],
    dayColumns: [sheet.header.length - 1],
  });
}

/** How a download's columns are formatted in Excel, by 0-based index. */
export interface SheetFormats {
  sheetName: string;
  /** Text: a KvK number keeps its leading zero when the cell is edited. */
  textColumns: number[];
  dateTimeColumns: number[];
  dayColumns: number[];
}

/**
 * A table as an .xlsx workbook: text as text, instants as date cells, links as hyperlinks; the
 * header row bold and frozen, the widths fitted to the contents. No cell is a formula: text that
 * starts with = stays that text, without the apostrophe the CSV needs.
 */
export async function sheetXlsx(
  header: string[],
  rows: SheetCell[][],
  formats: SheetFormats,
): Promise<Buffer> {
  const sheet = { header, rows };
  const widths = sheet.header.map((h) => h.length);
  for (const row of sheet.rows.slice(0, 1000))
    row.forEach((cell, i) => {
      const length =
        cell instanceof Date
          ? 16
          : typeof cell === 'string'
            ? cell.length
            : typeof cell === 'number'
              ? String(cell).length
              : 'day' in cell
                ? 10
                : cell.text.length;
      widths[i] = Math.max(widths[i] ?? 0, length);
    });
  // The streaming writer: 10,000 rows in a third of the time the in-memory workbook takes.
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({
    stream: out,
    useStyles: true,
    useSharedStrings: false,
  });
  workbook.creator = 'Register Verantwoorde Hostingproviders';
  const worksheet = workbook.addWorksheet(formats.sheetName, {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  const textColumns = new Set(formats.textColumns);
  const dateColumns = new Set(formats.dateTimeColumns);
  const dayColumns = new Set(formats.dayColumns);
  worksheet.columns = widths.map((width, i) => ({
    width: Math.min(60, Math.max(10, width + 2)),
    ...(textColumns.has(i) ? { style: { numFmt: '@' } } : {}),
    ...(dateColumns.has(i) ? { style: { numFmt: 'yyyy-mm-dd hh:mm' } } : {}),
    ...(dayColumns.has(i) ? { style: { numFmt: 'yyyy-mm-dd' } } : {}),
  }));
  // Every cell is a value cell (a string is never a formula in an .xlsx): the text stays as typed.
  const headerRow = worksheet.addRow(sheet.header);
  headerRow.font = { bold: true };
  headerRow.commit();
  for (const row of sheet.rows)
    worksheet
      .addRow(
        row.map((cell) =>
          cell instanceof Date
            ? wallClock(cell)
            : typeof cell === 'object' && 'day' in cell
              ? new Date(`${cell.day}T00:00:00Z`)
              : cell,
        ),
      )
      .commit();
  worksheet.commit();
  await workbook.commit();
  return Buffer.concat(chunks);
}

/**
 * An uploaded list as a preview page keeps it for its confirm step (gzip, base64, in a hidden
 * field): the person is not asked to choose the file again.
 */
export const packSource = (bytes: Buffer) => gzipSync(bytes).toString('base64');

/** The list a preview kept; a value that is not one (tampered, cut short) is a ValidationError on `bestand`. */
export function unpackSource(packed: string): Buffer {
  try {
    // The ceiling keeps a doctored field from unpacking to more than an upload may be.
    return gunzipSync(Buffer.from(packed, 'base64'), { maxOutputLength: MAX_LIST_BYTES });
  } catch (error) {
    // Larger unpacked than an upload may be: the same answer as for such an upload.
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
      throw new ValidationError({ bestand: ['bulk.fileTooLarge'] });
    throw new ValidationError({ bestand: ['bulk.sourceLost'] });
  }
}

/**
 * How a page that reads an uploaded list takes it (`readUpload`): the file field `bestand` up to
 * MAX_LIST_BYTES, and room in the form for the copy its preview keeps (`packSource`: up to 4/3 of
 * the file) besides `fields` other fields.
 */
export function listUpload(fields: number) {
  return {
    field: 'bestand',
    maxBytes: MAX_LIST_BYTES,
    tooLargeKey: 'bulk.fileTooLarge',
    keep: 'buffer',
    fieldSize: Math.ceil((MAX_LIST_BYTES * 4) / 3) + 64 * 1024,
    fields,
  } as const;
}
