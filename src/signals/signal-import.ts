/*
 * Issue 19 §1: signals from a spreadsheet (.xlsx, or CSV in any encoding), read by the bulk
 * check's reader, one signal per row; columns recognised by their Dutch or English headers;
 * several values in a cell separated by `;`, `,` or line breaks. Every row is shown before anything
 * is stored, each with its problems.
 */
import { MAX_BULK_ROWS } from '../check/bulk-check.service';
import { MAX_LIST_COLUMNS } from '../check/bulk-list';
import { headerKey } from '../check/kvk-column';
import { ValidationError } from '../shared/errors';
import { readSpreadsheet, SpreadsheetError } from '../shared/spreadsheet';
import { excelSerialDate } from '../shared/time';
import {
  IDENTIFIER_FIELDS,
  type IdentifierField,
  readTypedSignal,
  type SignalInput,
  type SignalProblem,
} from './signal.service';

/** The most rows an import takes (the bulk check's largest list). */
export const MAX_SIGNAL_ROWS = MAX_BULK_ROWS;

type Column = IdentifierField | 'category' | 'confidence' | 'observedOn' | 'expiresOn' | 'text';

/** Headers as people write them (compared without case, accents, spaces or punctuation: `headerKey`). */
const HEADERS: Record<string, Column> = {
  kvk: 'kvkNumbers',
  kvknummer: 'kvkNumbers',
  kvknummers: 'kvkNumbers',
  kvknumber: 'kvkNumbers',
  naam: 'names',
  namen: 'names',
  name: 'names',
  names: 'names',
  handelsnaam: 'names',
  domein: 'domains',
  domeinen: 'domains',
  domeinnaam: 'domains',
  domain: 'domains',
  domains: 'domains',
  maildomein: 'mailDomains',
  maildomeinen: 'mailDomains',
  emaildomein: 'mailDomains',
  maildomain: 'mailDomains',
  maildomains: 'mailDomains',
  ip: 'ipRanges',
  ipbereik: 'ipRanges',
  ipbereiken: 'ipRanges',
  iprange: 'ipRanges',
  ipranges: 'ipRanges',
  asn: 'asNumbers',
  asnummer: 'asNumbers',
  asnummers: 'asNumbers',
  asnumber: 'asNumbers',
  categorie: 'category',
  category: 'category',
  betrouwbaarheid: 'confidence',
  confidence: 'confidence',
  datum: 'observedOn',
  date: 'observedOn',
  verloopt: 'expiresOn',
  verloopdatum: 'expiresOn',
  expires: 'expiresOn',
  expiry: 'expiresOn',
  toelichting: 'text',
  text: 'text',
};

/** One row as the preview shows it. */
export interface SignalImportRow {
  line: number;
  /** The row's cells under the columns read, as typed. */
  cells: Partial<Record<Column, string>>;
  input?: SignalInput;
  problems: SignalProblem[];
}

export interface SignalImport {
  rows: SignalImportRow[];
  inputs: SignalInput[];
  /** The columns read, by field. */
  columns: Column[];
}

/** Splits a cell into its values: `;`, `,` or line breaks between them. */
const values = (cell: string | undefined) => (cell ?? '').split(/[;,\r\n]+/).map((v) => v.trim());

/** Reads an uploaded list of signals; a file that cannot be read is a ValidationError on `bestand`. */
export async function readSignalImport(bytes: Buffer, today: string): Promise<SignalImport> {
  let table;
  try {
    table = await readSpreadsheet(
      { bytes },
      {
        maxRows: MAX_SIGNAL_ROWS,
        maxColumns: MAX_LIST_COLUMNS,
        header: 'first',
        forbiddenCharacters: 'keep',
      },
    );
  } catch (error) {
    if (error instanceof SpreadsheetError) {
      const key = error.problem === 'tooManyRows' ? 'signals.import.tooMany' : error.key;
      throw new ValidationError({ bestand: [key] }, undefined, { max: MAX_SIGNAL_ROWS, ...error.params });
    }
    throw error;
  }
  const columnOf = new Map<Column, number>();
  (table.header?.cells ?? []).forEach((cell, index) => {
    const column = HEADERS[headerKey(cell)];
    if (column && !columnOf.has(column)) columnOf.set(column, index);
  });
  if (!IDENTIFIER_FIELDS.some((f) => columnOf.has(f)))
    throw new ValidationError({ bestand: ['signals.import.noColumns'] });
  if (table.rows.length === 0) throw new ValidationError({ bestand: ['signals.import.empty'] });
  const cell = (cells: string[], column: Column) => {
    const index = columnOf.get(column);
    return index === undefined ? '' : (cells[index] ?? '');
  };
  // A date as Excel keeps it (a day number, `46000`), read as the watch-list import reads it (F11).
  const dateCell = (cells: string[], column: Column) => {
    const text = cell(cells, column);
    return excelSerialDate(text.trim()) ?? text;
  };
  const rows = table.rows.map((row): SignalImportRow => {
    const cells = Object.fromEntries([...columnOf.keys()].map((c) => [c, cell(row.cells, c)]));
    const reading = readTypedSignal(
      {
        identifiers: Object.fromEntries(
          IDENTIFIER_FIELDS.map((f) => [f, values(cell(row.cells, f))]),
        ) as Record<IdentifierField, string[]>,
        category: cell(row.cells, 'category'),
        confidence: cell(row.cells, 'confidence'),
        observedOn: dateCell(row.cells, 'observedOn'),
        expiresOn: dateCell(row.cells, 'expiresOn'),
        text: cell(row.cells, 'text'),
      },
      today,
    );
    return reading.ok
      ? { line: row.number, cells, input: reading.input, problems: [] }
      : { line: row.number, cells, problems: reading.problems };
  });
  return { rows, inputs: rows.flatMap((r) => (r.input ? [r.input] : [])), columns: [...columnOf.keys()] };
}
