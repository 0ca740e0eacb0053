import { headerKey } from '../check/kvk-column';
import { endOfLocalDay, excelSerialDate, parseLocalDate } from '../shared/time';

/*
 * The pure rules of a watch list (issue 18 §2): reading a contract date as people write it, finding
 * the optional columns of an imported list by their headers, and whether a listing ends before the
 * contract does. No database, no clock.
 */

/** The longest own reference an entry may have. */
export const MAX_REFERENCE = 200;

/**
 * A contract date as YYYY-MM-DD: ISO (`2027-03-01`, also with a time after it, as a spreadsheet's
 * date cell reads), or day-month-year as the Netherlands writes it (`1-3-2027`, `01/03/2027`,
 * `1.3.2027`), or Excel's day number (`45658`, see excelSerialDate). Undefined for anything else,
 * or a day that does not exist (`31-2-2027`).
 */
export function parseContractDate(input: string): string | undefined {
  const text = input.trim();
  const serial = excelSerialDate(text);
  if (serial) return serial;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T]\d{2}:\d{2}(?::\d{2})?)?$/.exec(text);
  const dutch = /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})$/.exec(text);
  const date = iso
    ? `${iso[1]}-${iso[2]}-${iso[3]}`
    : dutch
      ? `${dutch[4]}-${dutch[3]!.padStart(2, '0')}-${dutch[1]!.padStart(2, '0')}`
      : undefined;
  return date !== undefined && parseLocalDate(date) && date >= '1900-01-01' ? date : undefined;
}

/** The optional columns of an imported list, 0-based; each undefined when no header names it. */
export interface WatchColumns {
  reference?: number;
  contractStart?: number;
  contractEnd?: number;
}

/** Header names (as headerKey reads them: lower case, letters and digits) of each optional column. */
const HEADERS: Record<keyof WatchColumns, readonly string[]> = {
  reference: [
    'referentie',
    'eigenreferentie',
    'kenmerk',
    'contractnummer',
    'contractnr',
    'contract',
    'dossiernummer',
    'reference',
    'ownreference',
    'ref',
    'contractnumber',
    'contractno',
    'contractid',
  ],
  contractStart: [
    'startdatum',
    'begindatum',
    'ingangsdatum',
    'contractstart',
    'startcontract',
    'begincontract',
    'contractbegin',
    'startdatumcontract',
    'ingangsdatumcontract',
    'start',
    'startdate',
    'contractstartdate',
  ],
  contractEnd: [
    'einddatum',
    'einde',
    'contracteinde',
    'eindecontract',
    'einddatumcontract',
    'contracteinddatum',
    'looptijdtot',
    'end',
    'enddate',
    'contractend',
    'contractenddate',
    'endofcontract',
  ],
};

/** Which header cells name the reference and the contract's start and end (the first that does, each). */
export function findWatchColumns(header: readonly string[]): WatchColumns {
  const keys = header.map(headerKey);
  const columns: WatchColumns = {};
  for (const field of Object.keys(HEADERS) as (keyof WatchColumns)[]) {
    const index = keys.findIndex(
      (key, column) => HEADERS[field].includes(key) && !Object.values(columns).includes(column),
    );
    if (index >= 0) columns[field] = index;
  }
  return columns;
}

/**
 * Whether a listing ends before the contract does: it is verantwoord now with an end (`validUntil`)
 * before the last moment of the contract's last day. Without a contract end, or a listing that has
 * ended already (its status says so), there is nothing to mark.
 */
export function listingEndsBeforeContract(
  verantwoord: boolean,
  validUntil: Date | null,
  contractEnd: string | null,
): boolean {
  if (!verantwoord || validUntil === null || contractEnd === null) return false;
  return validUntil.getTime() <= endOfLocalDay(contractEnd).getTime();
}
