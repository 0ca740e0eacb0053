import { CsvError, parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { hasForbiddenCharacters } from './forbidden-characters';
import { inspectZip, ZipRefusedError } from './zip-guard';

/*
 * One reader for the lists people bring: an uploaded .xlsx or CSV/text file, or text pasted from a
 * spreadsheet. It turns them into a table of text cells with the row numbers the person sees in
 * their own program, so that every message can say "row 12". The bulk check uses it; watch lists
 * and signal uploads are meant to.
 */

export type Separator = ';' | ',' | '\t';
export type Charset = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** One row of the table: its cells as text (trimmed, padded to the table's width). */
export interface SpreadsheetRow {
  /** 1-based: the line in a text file (where the record starts), the row number in a worksheet. */
  number: number;
  cells: string[];
}

export interface Spreadsheet {
  format: 'xlsx' | 'text';
  /** For text: how the bytes were decoded ('utf-8' also for pasted text) and the separator found. */
  charset?: Charset;
  separator?: Separator;
  /** For xlsx: the worksheet read, and all of the workbook's (to offer a choice). */
  sheetName?: string;
  sheetNames?: string[];
  /** The header row, when the list has one (never also a data row); not always the first row. */
  header?: SpreadsheetRow;
  /** The rows above the header (a title, a date): neither header nor data, and not checked. */
  above?: SpreadsheetRow[];
  /** The data rows that hold anything; blank rows are left out, their numbers skipped. */
  rows: SpreadsheetRow[];
  /** The number of columns: the widest row, header included. */
  columnCount: number;
}

/** How to tell which of the first rows is the header, if any (see headerAt). */
export type HeaderRule =
  | 'detect'
  | 'first'
  | 'none'
  /** true or false decides; undefined leaves it to the detection. */
  | ((cells: string[]) => boolean | undefined);

export interface ReadOptions {
  /** Data rows at most; more is refused (`tooManyRows`). */
  maxRows: number;
  /** What an .xlsx may unpack to, all its parts together; 20 MB unless given. */
  maxUnpackedBytes?: number;
  /** Columns at most (the last filled one counts); more is refused (`tooManyColumns`). 100 unless given. */
  maxColumns?: number;
  /**
   * The cells all worksheets of an .xlsx may have together, counted in the unpacked XML before
   * exceljs reads it (it builds every cell of every sheet first, about 25 µs a cell); more is
   * refused (`tooManyCells`). 250,000 unless given: 10,000 rows of 25 columns.
   */
  maxCells?: number;
  /** The worksheet of an .xlsx to read, by name or 1-based position; the first visible one unless given. */
  sheet?: string | number;
  header?: HeaderRule;
  /**
   * A cell with a forbidden character (a control character, a text-direction mark): `refuse` (the
   * default) refuses the whole list (`controlCharacters`); `keep` leaves it to the caller, which
   * must then refuse such a row itself (a watch list's import lists it as a problem row).
   */
  forbiddenCharacters?: 'refuse' | 'keep';
}

/** Why a list could not be read; `key` is the translation key of the message (`spreadsheet.*`). */
export type SpreadsheetProblem =
  | 'oldExcel'
  | 'openDocument'
  | 'otherZip'
  | 'binary'
  | 'damaged'
  | 'tooLarge'
  | 'tooManyRows'
  | 'tooManyColumns'
  | 'tooManyCells'
  /** A text list's quotes do not pair up (`line` says where the trouble starts). */
  | 'quotes'
  | 'noSheet'
  /** A cell holds a control character or a text-direction mark (`line` says where). */
  | 'controlCharacters';

/** Thrown when a list cannot be read; the message key is `spreadsheet.<problem>`. */
export class SpreadsheetError extends Error {
  readonly key: string;
  constructor(
    readonly problem: SpreadsheetProblem,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`spreadsheet refused: ${problem}`);
    this.key = `spreadsheet.${problem}`;
  }
}

/** A list of 10,000 rows of 10 columns unpacks to about 6 MB. */
const DEFAULT_MAX_UNPACKED = 20 * 1024 * 1024;
const DEFAULT_MAX_COLUMNS = 100;
const DEFAULT_MAX_CELLS = 250_000;

/** Reads an uploaded file (bytes) or pasted text into a table. */
export async function readSpreadsheet(
  input: { bytes: Buffer } | { text: string },
  options: ReadOptions,
): Promise<Spreadsheet> {
  if ('text' in input)
    return tableOf(readDelimited(input.text), options, { format: 'text', charset: 'utf-8' });
  const bytes = input.bytes;
  const kind = sniffFileType(bytes);
  if (kind === 'xlsx') return readXlsx(bytes, options);
  const { text, charset } = decodeText(bytes);
  // Tab, line feed and carriage return are the only control characters a text list has.
  // eslint-disable-next-line no-control-regex -- finding control characters is this pattern's job
  if (/[\u0000-\u0008\u000e-\u001a\u001c-\u001f]/.test(text.slice(0, 4096)))
    throw new SpreadsheetError('binary');
  return tableOf(readDelimited(text), options, { format: 'text', charset });
}

/** What the first bytes say the file is: an .xlsx, or text (anything that is not a known binary). */
function sniffFileType(bytes: Buffer): 'xlsx' | 'text' {
  // The OLE2 compound file of Excel 97–2003 (.xls).
  if (bytes.subarray(0, 8).equals(Buffer.from('d0cf11e0a1b11ae1', 'hex')))
    throw new SpreadsheetError('oldExcel');
  if (bytes.subarray(0, 4).equals(Buffer.from('504b0304', 'hex'))) {
    // An OpenDocument file starts with its mimetype, stored uncompressed.
    if (bytes.subarray(30, 120).toString('latin1').includes('application/vnd.oasis.opendocument'))
      throw new SpreadsheetError('openDocument');
    return 'xlsx';
  }
  if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') throw new SpreadsheetError('binary');
  return 'text';
}

/**
 * The text of a file: UTF-8 (with or without byte order mark) when the bytes are valid UTF-8,
 * UTF-16 with its byte order mark (Excel's "Unicode text"), and otherwise Windows-1252, what
 * Excel on Windows writes as "CSV" (so "Café" stays "Café" instead of replacement characters).
 */
export function decodeText(bytes: Buffer): { text: string; charset: Charset } {
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), charset: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), charset: 'utf-16be' };
  try {
    // ignoreBOM: false (the default) drops a leading byte order mark.
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), charset: 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), charset: 'windows-1252' };
  }
}

/*
 * Windows-1252's characters at 0x80–0x9F (€, curly quotes, dashes, Š, Ÿ …). Node 20's TextDecoder
 * reads 'windows-1252' as ISO-8859-1 and gives control characters there, so the table is ours.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';

function decodeWindows1252(bytes: Buffer): string {
  return bytes
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80] ?? c);
}

const SEPARATORS: readonly Separator[] = ['\t', ';', ','];

/**
 * The separator of a delimited text: of tab, semicolon and comma, the one that occurs the same
 * number of times (at least once) on most lines, counting only outside quoted cells, so that a
 * comma inside `"Hosting, Inc."` or in an unquoted name of a semicolon file does not decide it.
 * Looks at the first 200 non-empty lines; undefined when none occurs (a single column).
 */
export function detectSeparator(text: string): Separator | undefined {
  const counts = new Map<Separator, number[]>(SEPARATORS.map((s) => [s, []]));
  let lines = 0;
  let inQuotes = false;
  let atCellStart = true;
  let current = new Map<Separator, number>(SEPARATORS.map((s) => [s, 0]));
  let lineHasText = false;
  const endLine = () => {
    if (lineHasText) {
      for (const s of SEPARATORS) counts.get(s)?.push(current.get(s) ?? 0);
      lines++;
    }
    current = new Map(SEPARATORS.map((s) => [s, 0]));
    lineHasText = false;
    atCellStart = true;
  };
  for (let i = 0; i < text.length && lines < 200; i++) {
    const c = text[i] as string;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
      continue;
    }
    if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endLine();
      continue;
    }
    if (c === '"' && atCellStart) {
      inQuotes = true;
      lineHasText = true;
      atCellStart = false;
      continue;
    }
    if ((SEPARATORS as readonly string[]).includes(c)) {
      current.set(c as Separator, (current.get(c as Separator) ?? 0) + 1);
      atCellStart = true;
      continue;
    }
    if (c !== ' ') {
      atCellStart = false;
      lineHasText = true;
    }
  }
  endLine();
  let best: { separator: Separator; score: number } | undefined;
  for (const separator of SEPARATORS) {
    const perLine = counts.get(separator) ?? [];
    const mode = modeOf(perLine.filter((n) => n > 0));
    if (mode === undefined || perLine.length === 0) continue;
    const score = perLine.filter((n) => n === mode).length / perLine.length;
    // Ties go to the earlier separator: tab, then semicolon, then comma.
    if (!best || score > best.score) best = { separator, score };
  }
  return best?.separator;
}

function modeOf(values: number[]): number | undefined {
  const tally = new Map<number, number>();
  let mode: number | undefined;
  for (const v of values) {
    const n = (tally.get(v) ?? 0) + 1;
    tally.set(v, n);
    if (mode === undefined || n > (tally.get(mode) ?? 0)) mode = v;
  }
  return mode;
}

interface RawTable {
  rows: SpreadsheetRow[];
  separator?: Separator;
}

/** Excel's first line `sep=;` names the separator of the file (and is no row of it). */
const SEP_LINE = /^\uFEFF?"?sep=([;,\t])"?[ \t]*(?:\r\n|\n|\r|$)/i;

function readDelimited(text: string): RawTable {
  const sepLine = SEP_LINE.exec(text);
  const body = sepLine ? text.slice(sepLine[0].length) : text.replace(/^\uFEFF/, '');
  const named = sepLine?.[1];
  const separator = (named as Separator | undefined) ?? detectSeparator(body);
  let records: { record: string[]; info: { lines: number } }[];
  try {
    // With `info`, csv-parse gives each record with where it ended; its types do not say so.
    records = parse(body, {
      // Without a separator the text is one column: a tab cannot occur in it then.
      delimiter: separator ?? '\t',
      relax_column_count: true,
      // A quote inside a cell that does not start with one ("De "Molen" BV") is kept as text.
      relax_quotes: true,
      skip_empty_lines: false,
      trim: true,
      info: true,
    }) as unknown as { record: string[]; info: { lines: number } }[];
  } catch (error) {
    // What no option relaxes: a quote never closed, or text after a closing quote. Every error
    // of csv-parse is the list's, never the server's; its `lines` is where the parser stood.
    if (error instanceof CsvError)
      throw new SpreadsheetError('quotes', {
        line: quoteTroubleLine(body, separator ?? '\t', error) + (sepLine ? 1 : 0),
      });
    throw error;
  }
  // info.lines is the line a record ends on: the next one starts on the line after.
  let line = sepLine ? 2 : 1;
  const rows: SpreadsheetRow[] = [];
  for (const { record, info } of records) {
    rows.push({ number: line, cells: record });
    line = info.lines + 1 + (sepLine ? 1 : 0);
  }
  return { rows, separator };
}

/**
 * The line a quote error points at: where csv-parse stopped, except for a quote never closed,
 * where it is the line the quote opened on (csv-parse only knows the end of the text it ran on to).
 */
function quoteTroubleLine(text: string, separator: string, error: CsvError): number {
  const { lines } = error as CsvError & { lines?: number };
  if (error.code !== 'CSV_QUOTE_NOT_CLOSED') return lines ?? 1;
  let line = 1;
  let opened = 1;
  let inQuotes = false;
  let atCellStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\r' || c === '\n') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      line++;
      if (!inQuotes) atCellStart = true;
    } else if (inQuotes) {
      if (c === '"' && text[i + 1] === '"') i++;
      else if (c === '"') inQuotes = false;
    } else if (c === '"' && atCellStart) {
      inQuotes = true;
      opened = line;
    } else if (c === separator) atCellStart = true;
    else if (c !== ' ') atCellStart = false;
  }
  return opened;
}

/** exceljs reads every member whose name has this in it as a worksheet. */
const WORKSHEET_MEMBER = /xl\/worksheets\/sheet\d+[.]xml/;

/**
 * A worksheet's size from its XML, without parsing it: the cells (`<c>` elements), and the widest
 * row (the column of a cell's reference "XFD1", or the one after the cell before it when it has
 * none, as Excel reads it). Counting stops once past either limit.
 */
export function worksheetShape(
  xml: string,
  limits: { maxCells: number; maxColumns: number },
): { cells: number; columns: number } {
  // A start tag of a row or a cell, with its attributes.
  const tags = /<(?:[A-Za-z_][\w.-]*:)?(row|c)(?=[\s/>])([^>]*)>/g;
  let cells = 0;
  let columns = 0;
  let column = 0;
  for (
    let match = tags.exec(xml);
    match !== null && cells <= limits.maxCells && columns <= limits.maxColumns;
    match = tags.exec(xml)
  ) {
    if (match[1] === 'row') {
      column = 0;
      continue;
    }
    cells++;
    const reference = /\sr\s*=\s*["']\$?([A-Za-z]{1,3})\$?\d/.exec(match[2] ?? '')?.[1];
    column = (reference === undefined ? column : (columnIndex(reference) ?? column)) + 1;
    columns = Math.max(columns, column);
  }
  return { cells, columns };
}

async function readXlsx(bytes: Buffer, options: ReadOptions): Promise<Spreadsheet> {
  let members;
  try {
    members = inspectZip(bytes, {
      maxTotalBytes: options.maxUnpackedBytes ?? DEFAULT_MAX_UNPACKED,
      maxMembers: 1000,
      keep: (name) => WORKSHEET_MEMBER.test(name),
    });
  } catch (error) {
    if (error instanceof ZipRefusedError) throw new SpreadsheetError(error.why);
    throw error;
  }
  if (!members.some((m) => m.name === 'xl/workbook.xml')) throw new SpreadsheetError('otherZip');
  // exceljs builds every cell of every worksheet before the rows can be counted: refuse first.
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS;
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  let cellsLeft = maxCells;
  for (const member of members) {
    if (!member.data) continue;
    const shape = worksheetShape(member.data.toString('latin1'), { maxCells: cellsLeft, maxColumns });
    cellsLeft -= shape.cells;
    if (cellsLeft < 0) throw new SpreadsheetError('tooManyCells', { max: maxCells });
    if (shape.columns > maxColumns) throw new SpreadsheetError('tooManyColumns', { max: maxColumns });
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw new SpreadsheetError('damaged');
  }
  const sheets = workbook.worksheets.filter((s) => s !== undefined);
  const sheetNames = sheets.map((s) => s.name);
  const sheet =
    typeof options.sheet === 'string'
      ? sheets.find((s) => s.name === options.sheet)
      : typeof options.sheet === 'number'
        ? sheets[options.sheet - 1]
        : (sheets.find((s) => s.state === 'visible') ?? sheets[0]);
  if (!sheet) throw new SpreadsheetError('noSheet', { sheet: String(options.sheet ?? '') });
  if (sheet.actualRowCount > options.maxRows + HEADER_SEARCH_ROWS)
    throw new SpreadsheetError('tooManyRows', { max: options.maxRows });
  const rows: SpreadsheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, column) => {
      cells[column - 1] = cellText(cell.value, cell.numFmt);
    });
    rows.push({ number, cells: Array.from(cells, (c) => c ?? '') });
  });
  return tableOf({ rows }, options, { format: 'xlsx', sheetName: sheet.name, sheetNames });
}

/**
 * A cell's value as the person sees it in Excel, as text: a whole number without ".0" or an
 * exponent (and with its leading zeros when the cell's format shows them, as "00000000" does), a
 * date as YYYY-MM-DD (with the time when it has one), rich text as its plain text, a formula as
 * its last computed result, a hyperlink as its text, an error as its code.
 */
export function cellText(value: ExcelJS.CellValue, numFmt?: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') return numberText(value, numFmt);
  if (value instanceof Date) return dateText(value);
  if ('richText' in value)
    return value.richText
      .map((part) => part.text)
      .join('')
      .trim();
  if ('hyperlink' in value) return cellText(value.text, numFmt);
  if ('formula' in value || 'sharedFormula' in value) return cellText(value.result ?? null, numFmt);
  if ('error' in value) return value.error;
  return '';
}

function numberText(value: number, numFmt?: string): string {
  if (!Number.isFinite(value)) return '';
  const text = value.toLocaleString('en-US', { useGrouping: false, maximumFractionDigits: 15 });
  // A format of only zeros ("00000000") pads whole numbers to its length, as Excel shows them.
  const zeros = numFmt && /^0+$/.test(numFmt) ? numFmt.length : 0;
  return Number.isInteger(value) && value >= 0 ? text.padStart(zeros, '0') : text;
}

function dateText(date: Date): string {
  // exceljs gives a date cell's wall-clock time as if it were UTC.
  const iso = date.toISOString();
  const day = iso.slice(0, 10);
  const time = iso.slice(11, 19);
  if (time === '00:00:00') return day;
  return `${day} ${time.endsWith(':00') ? time.slice(0, 5) : time}`;
}

function tableOf(
  raw: RawTable,
  options: ReadOptions,
  about: Pick<Spreadsheet, 'format' | 'charset' | 'sheetName' | 'sheetNames'>,
): Spreadsheet {
  // Before anything is done per cell: a line of 230,000 cells is refused, not shown.
  const maxColumns = options.maxColumns ?? DEFAULT_MAX_COLUMNS;
  const wide = raw.rows.find((row) => lastFilled(row.cells) > maxColumns);
  if (wide) throw new SpreadsheetError('tooManyColumns', { max: maxColumns, line: wide.number });
  const nonBlank = raw.rows
    .map((row) => ({ number: row.number, cells: row.cells.map((c) => c.trim()) }))
    .filter((row) => row.cells.some((c) => c !== ''));
  // What no text of the register may hold (a right-to-left override can disguise a name).
  const marked =
    options.forbiddenCharacters === 'keep'
      ? undefined
      : nonBlank.find((row) => row.cells.some(hasForbiddenCharacters));
  if (marked) throw new SpreadsheetError('controlCharacters', { line: marked.number });
  const columnCount = Math.max(0, ...nonBlank.map((r) => lastFilled(r.cells)));
  const padded = nonBlank.map((r) => ({ number: r.number, cells: padTo(r.cells, columnCount) }));
  const at = headerAt(padded, options.header ?? 'detect');
  const header = at === undefined ? undefined : padded[at];
  const rows = at === undefined ? padded : padded.slice(at + 1);
  if (rows.length > options.maxRows) throw new SpreadsheetError('tooManyRows', { max: options.maxRows });
  return {
    ...about,
    ...(raw.separator ? { separator: raw.separator } : {}),
    ...(header ? { header } : {}),
    ...(at ? { above: padded.slice(0, at) } : {}),
    rows,
    columnCount,
  };
}

/** How many of the first non-blank rows may hold the header (a title, a date, a blank line above it). */
export const HEADER_SEARCH_ROWS = 5;

const filledCount = (cells: string[]) => cells.filter((c) => c !== '').length;

/**
 * Where the header is among the first HEADER_SEARCH_ROWS non-blank rows, or undefined when the
 * list has none. A row the rule takes for a header is it; a row it takes for data ends the search
 * (a header is never below data); otherwise the row's shape decides (looksLikeHeader), and a
 * header found so below the first row must have more filled cells than each row above it (a title
 * has one or two), so that a data row with a word in a number column is not taken for one.
 */
function headerAt(rows: SpreadsheetRow[], rule: HeaderRule): number | undefined {
  if (rule === 'first') return rows.length > 0 ? 0 : undefined;
  if (rule === 'none') return undefined;
  const decide = (i: number) =>
    typeof rule === 'function' ? rule((rows[i] as SpreadsheetRow).cells) : undefined;
  const limit = Math.min(HEADER_SEARCH_ROWS, rows.length);
  for (let i = 0; i < limit; i++) {
    const cells = (rows[i] as SpreadsheetRow).cells;
    const decided = decide(i);
    if (decided === false) return undefined;
    if (decided === true) {
      // A title that names the column too ("KvK-nummers leveranciers") is above the real header:
      // a later row the rule takes, with more cells filled, before any data row, is the header.
      for (let j = i + 1; j < limit; j++) {
        const later = decide(j);
        if (later === false) break;
        if (later === true && filledCount((rows[j] as SpreadsheetRow).cells) > filledCount(cells)) return j;
      }
      return i;
    }
    const above = rows.slice(0, i);
    if (
      looksLikeHeader(cells, rows.slice(i + 1)) &&
      above.every((r) => filledCount(r.cells) < filledCount(cells))
    )
      return i;
  }
  return undefined;
}

function lastFilled(cells: string[]): number {
  for (let i = cells.length; i > 0; i--) if (cells[i - 1] !== '') return i;
  return 0;
}

function padTo(cells: string[], length: number): string[] {
  const out = cells.slice(0, length);
  while (out.length < length) out.push('');
  return out;
}

/** A number, code or date: digits with at most separators and a short prefix. */
const NUMBER_LIKE = /^[^0-9]{0,4}[0-9][0-9\s.,:/+-]*$/;

/**
 * Whether a first row reads as column names: in some column, (nearly) every value below it looks
 * like a number, a code or a date while the first row's cell is a word. Lists without such a
 * column cannot be told apart from data by their shape; a caller that knows its column names
 * decides those with a HeaderRule function.
 */
export function looksLikeHeader(first: string[], rest: SpreadsheetRow[]): boolean {
  const sample = rest.slice(0, 50);
  if (sample.length === 0) return false;
  return first.some((cell, column) => {
    if (cell === '' || NUMBER_LIKE.test(cell)) return false;
    const values = sample.map((r) => r.cells[column] ?? '').filter((v) => v !== '');
    return values.length > 0 && values.filter((v) => NUMBER_LIKE.test(v)).length >= 0.8 * values.length;
  });
}

/** A column's letter as a spreadsheet shows it: 0 → A, 25 → Z, 26 → AA. */
export function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26))
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  return letters;
}

/** The 0-based index of a column letter ("B" → 1), or undefined when it is not one. */
export function columnIndex(letter: string): number | undefined {
  if (!/^[A-Za-z]{1,3}$/.test(letter)) return undefined;
  let n = 0;
  for (const c of letter.toUpperCase()) n = n * 26 + (c.charCodeAt(0) - 64);
  return n - 1;
}
