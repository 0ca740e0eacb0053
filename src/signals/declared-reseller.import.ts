/*
 * Issue 19 §2: a provider's resellers from a spreadsheet, read by the register's one spreadsheet
 * reader (src/shared/spreadsheet.ts, as the bulk check reads its lists: .xlsx, or CSV in any
 * encoding). The columns are found by their Dutch or English headers; a cell may hold several
 * values (one a line, or separated by `;`). Every row is shown before anything is declared.
 */
import { headerKey } from '../check/kvk-column';
import { MAX_LIST_COLUMNS } from '../check/bulk-list';
import { ValidationError } from '../shared/errors';
import { hasForbiddenCharacters } from '../shared/forbidden-characters';
import { readSpreadsheet, SpreadsheetError } from '../shared/spreadsheet';
import type { DeclarationInsert } from './declared-reseller.queries';
import {
  type DeclarationField,
  type DeclarationForm,
  declarationKey,
  readDeclaration,
} from './declared-reseller.service';

/** The most rows one import reads: the per-day limit's default. */
export const MAX_IMPORT_ROWS = 20_000;

/** The headers each column is known by (compared without case, accents, spaces or punctuation). */
const HEADERS: Record<DeclarationField, string[]> = {
  reference: [
    'referentie',
    'eigenreferentie',
    'klantnummer',
    'contractnummer',
    'reference',
    'ownreference',
    'customernumber',
    'customerid',
    'klantid',
  ],
  resellerNames: [
    'naam',
    'namen',
    'statutairenaam',
    'handelsnaam',
    'handelsnamen',
    'bedrijfsnaam',
    'name',
    'names',
    'legalname',
    'tradename',
    'tradenames',
    'companyname',
  ],
  resellerKvk: [
    'kvk',
    'kvknummer',
    'kvknr',
    'kamervankoophandel',
    'chamberofcommerce',
    'kvknumber',
    'cocnumber',
  ],
  resellerDomains: [
    'domein',
    'domeinen',
    'domeinnaam',
    'domeinnamen',
    'domain',
    'domains',
    'domainname',
    'domainnames',
    'website',
  ],
  resellerMailDomains: [
    'maildomein',
    'maildomeinen',
    'emaildomein',
    'emaildomeinen',
    'maildomain',
    'maildomains',
    'emaildomain',
    'emaildomains',
    'email',
    'emailadres',
  ],
  resellerIpRanges: [
    'ip',
    'ipadres',
    'ipadressen',
    'ipbereik',
    'ipreeks',
    'ipreeksen',
    'iprange',
    'ipranges',
    'ipaddress',
    'ipaddresses',
    'prefix',
    'prefixes',
    'netblock',
    'cidr',
  ],
  resellerAsNumbers: ['as', 'asn', 'asnummer', 'asnummers', 'asnumber', 'asnumbers', 'autonomoussystem'],
};

const fieldOfHeader = (cell: string): DeclarationField | undefined => {
  const key = headerKey(cell);
  return (Object.keys(HEADERS) as DeclarationField[]).find((field) => HEADERS[field].includes(key));
};

/** One row as the preview shows it. */
export interface ResellerImportRow {
  line: number;
  typed: DeclarationForm;
  /** What will be declared; undefined when the row has a problem. */
  value?: DeclarationInsert;
  /** The translation keys of the row's problems, with the field (the form's name) each is about. */
  problems: { field: string; key: string }[];
  params: Record<string, string>;
  /** The line this row repeats: it is declared once. */
  sameAs?: number;
}

export interface ResellerImport {
  rows: ResellerImportRow[];
  /** The columns found, as the form names them. */
  columns: DeclarationField[];
  /** The good rows, each once. */
  declarations: DeclarationInsert[];
}

/** Reads an uploaded list of resellers; a file that cannot be read is a ValidationError on `bestand`. */
export async function readResellerImport(bytes: Buffer): Promise<ResellerImport> {
  let table;
  try {
    table = await readSpreadsheet(
      { bytes },
      {
        maxRows: MAX_IMPORT_ROWS,
        maxColumns: MAX_LIST_COLUMNS,
        header: 'first',
        forbiddenCharacters: 'keep',
      },
    );
  } catch (error) {
    if (error instanceof SpreadsheetError)
      throw new ValidationError({ bestand: [error.key] }, undefined, error.params);
    throw error;
  }
  const header = table.header?.cells ?? [];
  const columnsOf = new Map<DeclarationField, number[]>();
  header.forEach((cell, index) => {
    const field = fieldOfHeader(cell);
    if (field) columnsOf.set(field, [...(columnsOf.get(field) ?? []), index]);
  });
  const identifying = [...columnsOf.keys()].filter((f) => f !== 'reference');
  if (identifying.length === 0) throw new ValidationError({ bestand: ['resellers.importNoColumns'] });
  if (table.rows.length === 0) throw new ValidationError({ bestand: ['resellers.importEmpty'] });
  const seen = new Map<string, number>();
  const declarations: DeclarationInsert[] = [];
  const rows = table.rows.map((row): ResellerImportRow => {
    const cellsOf = (field: DeclarationField) =>
      (columnsOf.get(field) ?? []).map((i) => row.cells[i] ?? '').filter((c) => c.trim() !== '');
    // Several values in a cell are one a line; `;` separates them too (and `,` where a value has none).
    const list = (field: DeclarationField, commas: boolean) =>
      cellsOf(field)
        .flatMap((c) => c.split(commas ? /[\n;,]/ : /[\n;]/))
        .join('\n');
    const typed: DeclarationForm = {
      reference: cellsOf('reference').join(' '),
      resellerNames: list('resellerNames', false),
      resellerKvk: cellsOf('resellerKvk').join(' '),
      resellerDomains: list('resellerDomains', true),
      resellerMailDomains: list('resellerMailDomains', true),
      resellerIpRanges: list('resellerIpRanges', true),
      resellerAsNumbers: list('resellerAsNumbers', true),
    };
    if (row.cells.some((c) => hasForbiddenCharacters(c)))
      return {
        line: row.number,
        typed,
        problems: [{ field: 'bestand', key: 'resellers.invalid.characters' }],
        params: {},
      };
    const reading = readDeclaration(typed);
    if (!reading.ok)
      return {
        line: row.number,
        typed,
        problems: Object.entries(reading.fields).flatMap(([field, keys]) =>
          keys.map((key) => ({ field, key })),
        ),
        params: reading.params,
      };
    const key = declarationKey(reading.value);
    const earlier = seen.get(key);
    if (earlier !== undefined)
      return { line: row.number, typed, value: reading.value, problems: [], params: {}, sameAs: earlier };
    seen.set(key, row.number);
    declarations.push(reading.value);
    return { line: row.number, typed, value: reading.value, problems: [], params: {} };
  });
  return { rows, columns: [...columnsOf.keys()], declarations };
}
