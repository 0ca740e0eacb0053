import type { DataSource } from 'typeorm';
import { In, IsNull, Not } from 'typeorm';
import { Provider } from '../provider/provider.entity';
import { readKvkNumber } from '../shared/identifiers';
import { endOfLocalDay } from '../shared/time';
import { statusAt } from '../status/status-rules';
import { loadCodeVersions, loadHistories, toCodeVersionFact, toStatusFact } from '../status/status-history';

export const MAX_BULK_ROWS = 10_000;

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
 * Checks every row at the end of `peildatum` by the status rules: four queries, however long the
 * list. Every input is read by readKvkNumber, the one reading of the web forms and the API.
 */
export async function bulkCheck(
  dataSource: DataSource,
  rows: BulkInputRow[],
  peildatum: string,
  now: Date,
): Promise<BulkResult> {
  const at = new Date(Math.min(endOfLocalDay(peildatum).getTime(), now.getTime()));
  const readings = rows.map((row) => readKvkNumber(row.kvkInput));
  const wanted = [...new Set(readings.flatMap((r) => (r.kind === 'invalid' ? [] : [r.kvkNumber])))];
  const providers: Pick<Provider, 'id' | 'kvkNumber' | 'legalName'>[] = wanted.length
    ? await dataSource.getRepository(Provider).find({
        // A provider whose identity no reviewer has confirmed is unknown to the public.
        where: { kvkNumber: In(wanted), identityConfirmedAt: Not(IsNull()) },
        select: { id: true, kvkNumber: true, legalName: true },
      })
    : [];
  const byKvk = new Map(providers.map((p) => [p.kvkNumber, p]));
  const [histories, versions] = await Promise.all([
    loadHistories(
      dataSource.manager,
      providers.map((p) => p.id),
    ),
    loadCodeVersions(dataSource.manager),
  ]);
  const versionFacts = versions.map(toCodeVersionFact);
  const seen = new Map<string, number>();
  const counts: Record<Outcome, number> = {
    verantwoord: 0,
    niet_verantwoord: 0,
    onbekend: 0,
    ongeldig: 0,
    dubbel: 0,
  };
  const results = rows.map((row, index): BulkResultRow => {
    const reading = readings[index] ?? readKvkNumber(row.kvkInput);
    let result: BulkResultRow;
    if (reading.kind === 'invalid') result = { ...row, outcome: 'ongeldig' };
    else {
      const kvkNumber = reading.kvkNumber;
      const provider = byKvk.get(kvkNumber);
      // Seven digits are checked as eight only when that number is in the register.
      const leadingZero: BulkResultRow['leadingZero'] =
        reading.kind === 'leadingZeroLost' ? (provider ? 'restored' : 'suggested') : undefined;
      const base: BulkInputRow & Pick<BulkResultRow, 'kvkNumber' | 'leadingZero'> = {
        ...row,
        kvkNumber,
        ...(leadingZero ? { leadingZero } : {}),
      };
      const firstLine = seen.get(kvkNumber);
      if (leadingZero === 'suggested') result = { ...base, outcome: 'ongeldig' };
      else if (firstLine !== undefined)
        result = { ...base, outcome: 'dubbel', firstLine, legalName: provider?.legalName };
      else if (!provider) result = { ...base, outcome: 'onbekend' };
      else {
        const status = statusAt((histories.get(provider.id) ?? []).map(toStatusFact), versionFacts, at);
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
    return result;
  });
  return { peildatum, at, rows: results, counts };
}
