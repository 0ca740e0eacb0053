import { type SheetCell, sheetCsv, sheetXlsx } from '../check/bulk-list';
import { type Language, translate } from '../shared/i18n';
import type { WatchEntryView } from './watch-list.service';

/*
 * A watch list as .xlsx or CSV (issue 18 §2): the same columns as its page, written by the bulk
 * check's download code (a formula-safe CSV for Dutch Excel, an .xlsx with date cells).
 */

export const WATCH_DOWNLOAD_FORMATS = ['csv', 'xlsx'] as const;
export type WatchDownloadFormat = (typeof WATCH_DOWNLOAD_FORMATS)[number];

function watchSheet(
  entries: WatchEntryView[],
  language: Language,
  providerUrl: (kvk: string) => string,
): { header: string[]; rows: SheetCell[][] } {
  const t = (key: string) => translate(language, key);
  const header = [
    t('watch.columns.kvkNumber'),
    t('watch.columns.name'),
    t('watch.columns.reference'),
    t('watch.columns.contractStart'),
    t('watch.columns.contractEnd'),
    t('watch.columns.status'),
    t('watch.columns.since'),
    t('watch.columns.validUntil'),
    t('watch.columns.endsBeforeContract'),
    t('watch.columns.link'),
  ];
  const rows = entries.map((entry): SheetCell[] => {
    const url = entry.legalName ? providerUrl(entry.kvkNumber) : '';
    return [
      entry.kvkNumber,
      entry.legalName ?? t('watch.notInRegister'),
      entry.reference,
      entry.contractStart ? { day: entry.contractStart } : '',
      entry.contractEnd ? { day: entry.contractEnd } : '',
      // The page's words: a number not in the register is "unknown to the register" in both.
      entry.legalName ? t(`status.label.${entry.status}`) : t('bulk.outcome.onbekend'),
      entry.since ?? '',
      entry.validUntil ?? '',
      entry.endsBeforeContract ? t('watch.yes') : '',
      url ? { text: url, hyperlink: url } : '',
    ];
  });
  return { header, rows };
}

/** The list's download in `format`. */
export async function watchListDownload(
  entries: WatchEntryView[],
  format: WatchDownloadFormat,
  language: Language,
  providerUrl: (kvk: string) => string,
): Promise<Buffer> {
  const { header, rows } = watchSheet(entries, language, providerUrl);
  if (format === 'csv') return Buffer.from(sheetCsv(header, rows), 'utf8');
  return sheetXlsx(header, rows, {
    sheetName: translate(language, 'watch.sheetName'),
    textColumns: [0, 2],
    dateTimeColumns: [6, 7],
    dayColumns: [3, 4],
  });
}
