import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { DataSource } from 'typeorm';
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { heavyComputeTurn, withHeavyConnection } from '../database/heavy-work';
import { publicProvidersByKvk } from './bulk-check.queries';
import { EXCEL_CSV, safeCell } from '../shared/csv';
import { ValidationError } from '../shared/errors';
import { isKvkNumber } from '../shared/identifiers';
import { endOfLocalDay } from '../shared/time';
import { statusAt } from '../status/status-rules';
import { loadCodeVersions, loadStatusFacts, toCodeVersionFact } from '../status/status-history';

export const MAX_BULK_ROWS = 10_000;
/** Numbers read, and rows checked, in one go: between slices the process serves other requests. */
const SLICE = 1_000;

export interface BulkInputRow {
  /** 1-based line in the list as given. */
  line: number;
  kvkNumber: string;
  reference: string;
}

export type Outcome = 'verantwoord' | 'niet_verantwoord' | 'onbekend' | 'ongeldig' | 'dubbel';

export interface BulkResultRow extends BulkInputRow {
  outcome: Outcome;
  /** The reason code when not verantwoord. */
  reason?: string;
  legalName?: string;
  /** For a duplicate: the line it repeats. */
  firstLine?: number;
}

export interface BulkResult {
  peildatum: string;
  /** The instant checked: the end of the peildatum, or now when that is today. */
  at: Date;
  rows: BulkResultRow[];
  counts: Record<Outcome, number>;
}

/**
 * Reads a pasted list or a CSV file: one KvK number a line, optionally a second column with the
 * buyer's own reference. Separators `;`, `,` or tab; a header line naming "kvk" is skipped.
 */
export function parseBulkInput(text: string): BulkInputRow[] {
  const records = parse(text.replace(/^\uFEFF/, ''), {
    delimiter: [';', ',', '\t'],
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: false,
    trim: true,
  });
  const rows: BulkInputRow[] = [];
  records.forEach((record, index) => {
    const [first = '', second = ''] = record;
    if (record.every((cell) => cell === '')) return;
    if (index === 0 && /kvk/i.test(first)) return;
    rows.push({ line: index + 1, kvkNumber: first.replace(/[\s.]/g, ''), reference: second.slice(0, 200) });
  });
  if (rows.length > MAX_BULK_ROWS) throw new ValidationError({ nummers: ['bulk.tooMany'] });
  return rows;
}

/**
 * Checks every row at the end of `peildatum` by the status rules: two queries per 1,000 distinct
 * numbers and one for the code versions, on one connection of the pool's heavy share.
 */
export async function bulkCheck(
  dataSource: DataSource,
  rows: BulkInputRow[],
  peildatum: string,
  now: Date,
): Promise<BulkResult> {
  // Checks take turns on this instance (heavy-work.ts): a lookup waits behind one check's slice at most.
  const release = await heavyComputeTurn(dataSource).acquire();
  try {
    return await checkRows(dataSource, rows, peildatum, now);
  } finally {
    release();
  }
}

async function checkRows(
  dataSource: DataSource,
  rows: BulkInputRow[],
  peildatum: string,
  now: Date,
): Promise<BulkResult> {
  const at = new Date(Math.min(endOfLocalDay(peildatum).getTime(), now.getTime()));
  const wellFormed = [...new Set(rows.map((r) => r.kvkNumber).filter(isKvkNumber))];
  // Heavy work: one connection of the pool's heavy share, so lookups keep theirs (database/heavy-work.ts),
  // in one snapshot, so the answer is the register at one moment. The list is read a slice at a
  // time and each slice's histories are turned into answers at once: thousands of rows are never
  // held (or built into objects) in one go, and between slices others' requests get their turn.
  const answers = await withHeavyConnection(dataSource, (connection) =>
    connection.transaction('REPEATABLE READ', async (manager) => {
      const versionFacts = (await loadCodeVersions(manager)).map(toCodeVersionFact);
      const found = new Map<string, { legalName: string; status: ReturnType<typeof statusAt> }>();
      for (let start = 0; start < wellFormed.length; start += SLICE) {
        const slice = await publicProvidersByKvk(manager, wellFormed.slice(start, start + SLICE));
        const histories = await loadStatusFacts(
          manager,
          slice.map((p) => p.id),
        );
        for (const provider of slice)
          found.set(provider.kvkNumber, {
            legalName: provider.legalName,
            status: statusAt(histories.get(provider.id) ?? [], versionFacts, at),
          });
      }
      return found;
    }),
  );
  const seen = new Map<string, number>();
  const counts: Record<Outcome, number> = {
    verantwoord: 0,
    niet_verantwoord: 0,
    onbekend: 0,
    ongeldig: 0,
    dubbel: 0,
  };
  const results: BulkResultRow[] = [];
  for (const row of rows) {
    // The rules for thousands of rows in one go would hold the process as long: others get a turn.
    if (results.length > 0 && results.length % SLICE === 0) await yieldToOthers();
    let result: BulkResultRow;
    const provider = answers.get(row.kvkNumber);
    if (!isKvkNumber(row.kvkNumber)) result = { ...row, outcome: 'ongeldig' };
    else if (seen.has(row.kvkNumber))
      result = {
        ...row,
        outcome: 'dubbel',
        firstLine: seen.get(row.kvkNumber),
        legalName: provider?.legalName,
      };
    else if (!provider) result = { ...row, outcome: 'onbekend' };
    else {
      const { status } = provider;
      result = status.verantwoord
        ? { ...row, outcome: 'verantwoord', legalName: provider.legalName }
        : { ...row, outcome: 'niet_verantwoord', reason: status.reason, legalName: provider.legalName };
    }
    if (isKvkNumber(row.kvkNumber) && !seen.has(row.kvkNumber)) seen.set(row.kvkNumber, row.line);
    counts[result.outcome]++;
    results.push(result);
  }
  return { peildatum, at, rows: results, counts };
}

/**
 * The result as CSV that opens correctly in Excel with Dutch settings: UTF-8 with a byte-order
 * mark, semicolons and CRLF line ends; no cell can start a formula.
 */
export function bulkResultCsv(result: BulkResult, baseUrl: string): string {
  const header = ['regel', 'kvk_nummer', 'referentie', 'naam', 'uitkomst', 'reden', 'peildatum', 'link'];
  const records = result.rows.map((r) => [
    r.line,
    safeCell(r.kvkNumber),
    safeCell(r.reference),
    safeCell(r.legalName ?? ''),
    r.outcome,
    r.reason ?? (r.firstLine ? `zelfde als regel ${r.firstLine}` : ''),
    result.peildatum,
    r.legalName ? `${baseUrl}/hostingproviders/${r.kvkNumber}` : '',
  ]);
  return stringify([header, ...records], EXCEL_CSV);
}
