import { type Language, translate } from '../shared/i18n';
import type { AanImportResult } from './aan-import.service';

const COUNTED = ['rows', 'ended', 'resumed', 'endsPlanned', 'tasks', 'tasksClosed'] as const;

/** What an import did, in one sentence in `language`: each count in its singular or plural form. */
export function aanImportSummary(language: Language, result: AanImportResult): string {
  const counted = Object.fromEntries(
    COUNTED.map((key) => [key, translate(language, `aan.count.${key}`, { count: result[key] })]),
  );
  return translate(language, 'aan.done', {
    ...counted,
    matched: result.matched,
    notInRegister: result.notInRegister,
  });
}
