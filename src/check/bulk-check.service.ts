import type { DataSource } from 'typeorm';
import { setImmediate as yieldToOthers } from 'node:timers/promises';
import { heavyComputeTurn, withHeavyConnection } from '../database/heavy-work';
import { allowLongWork } from '../database/limits';
import { publicProvidersByKvk } from './bulk-check.queries';
import { readKvkNumber } from '../shared/identifiers';
import { endOfLocalDay } from '../shared/time';
import { statusAt } from '../status/status-rules';
import { loadCodeVersions, loadStatusFacts, toCodeVersionFact } from '../status/status-history';

export const MAX_BULK_ROWS = 10_000;
/** Numbers read, and rows checked, in one go: between slices the process serves other requests. */
const SLICE = 1_000;

export interface BulkInputRow {
  /** 1-based: the line or row in the list as given (the position in the API's array). */
  line: number;
  /** The KvK number as typed, e.g. "KvK 9999 0001". */
  kvkInput: string;
}

export type Outcome = 'verantwoord' | 'niet_verantwoord' | 'onbekend' | 'ongeldig' | 'dubbel';

export interface BulkResultRow extends BulkInputRow {
  outcome: Outcome;
  /** The eight-digit number read from the input (for a lost leading zero: with the zero back). */
  kvkNumber?: string;
  /**
   * A seven-digit input: 'restored' when the number with its zero is in the register and was
   * checked as such; 'suggested' when it is not (the row is `ongeldig`, and says what was meant).
   */
  leadingZero?: 'restored' | 'suggested';
  /** Ten digits of which the first two are zeros (Excel's ten-digit format), checked as the eight after them. */
  tenDigits?: true;
  /** The reason code when not verantwoord. */
  reason?: string;
  legalName?: string;
  /** When the outcome began to hold. */
  since?: Date;
  /** Verantwoord: the end of the listing; suspended: the planned end of the suspension. */
  until?: Date;
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

/** The outcomes that ask for the buyer's attention: everything but verantwoord. */
export const needsAttention = (row: Pick<BulkResultRow, 'outcome'>): boolean => row.outcome !== 'verantwoord';

/**
 * Checks every row at the end of `peildatum` by the status rules: two queries per 1,000 distinct
 * numbers and one for the code versions, on one connection of the pool's heavy share. Every input
 * is read by readKvkNumber, the one reading of the web forms and the API.
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
  const readings = rows.map((row) => readKvkNumber(row.kvkInput));
  const wanted = [...new Set(readings.flatMap((r) => (r.kind === 'invalid' ? [] : [r.kvkNumber])))];
  // Heavy work: one connection of the pool's heavy share, so lookups keep theirs (database/heavy-work.ts),
  // in one snapshot, so the answer is the register at one moment. The list is read a slice at a
  // time and each slice's histories are turned into answers at once: thousands of rows are never
  // held (or built into objects) in one go, and between slices others' requests get their turn.
  const answers = await withHeavyConnection(dataSource, (connection) =>
    connection.transaction('REPEATABLE READ', async (manager) => {
      // Ten thousand histories in one snapshot may take longer than a lookup: the long limit.
      await allowLongWork(manager);
      const versionFacts = (await loadCodeVersions(manager)).map(toCodeVersionFact);
      const found = new Map<string, { legalName: string; status: ReturnType<typeof statusAt> }>();
      for (let start = 0; start < wanted.length; start += SLICE) {
        const slice = await publicProvidersByKvk(manager, wanted.slice(start, start + SLICE));
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
  for (const [index, row] of rows.entries()) {
    // The rules for thousands of rows in one go would hold the process as long: others get a turn.
    if (index > 0 && index % SLICE === 0) await yieldToOthers();
    const reading = readings[index] ?? readKvkNumber(row.kvkInput);
    let result: BulkResultRow;
    if (reading.kind === 'invalid') result = { ...row, outcome: 'ongeldig' };
    else {
      const kvkNumber = reading.kvkNumber;
      const provider = answers.get(kvkNumber);
      // Seven digits are checked as eight only when that number is in the register.
      const leadingZero: BulkResultRow['leadingZero'] =
        reading.kind === 'leadingZeroLost' ? (provider ? 'restored' : 'suggested') : undefined;
      const base: BulkInputRow & Pick<BulkResultRow, 'kvkNumber' | 'leadingZero' | 'tenDigits'> = {
        ...row,
        kvkNumber,
        ...(leadingZero ? { leadingZero } : {}),
        ...(reading.kind === 'tenDigits' ? { tenDigits: true as const } : {}),
      };
      const firstLine = seen.get(kvkNumber);
      if (leadingZero === 'suggested') result = { ...base, outcome: 'ongeldig' };
      else if (firstLine !== undefined)
        result = { ...base, outcome: 'dubbel', firstLine, legalName: provider?.legalName };
      else if (!provider) result = { ...base, outcome: 'onbekend' };
      else {
        const { status } = provider;
        result = status.verantwoord
          ? {
              ...base,
              outcome: 'verantwoord',
              legalName: provider.legalName,
              since: status.since,
              until: status.listing.validUntil,
            }
          : {
              ...base,
              outcome: 'niet_verantwoord',
              reason: status.reason,
              legalName: provider.legalName,
              ...(status.since ? { since: status.since } : {}),
              ...(status.until ? { until: status.until } : {}),
            };
      }
      if (leadingZero !== 'suggested' && firstLine === undefined) seen.set(kvkNumber, row.line);
    }
    counts[result.outcome]++;
    results.push(result);
  }
  return { peildatum, at, rows: results, counts };
}
