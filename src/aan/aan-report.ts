import { dateInWords, type Language, translate } from '../shared/i18n';
import type { AanImportResult } from './aan-import.service';

const COUNTED = ['rows', 'ended', 'resumed', 'endsPlanned', 'tasks', 'tasksClosed'] as const;

/**
 * What an import did, in one sentence in `language`: each count in its singular or plural form. A
 * file imported before (same SHA-256) says when; if it changed nothing, that is all it says.
 */
export function aanImportSummary(language: Language, result: AanImportResult): string {
  const before = result.alreadyImportedAt && dateInWords(language, result.alreadyImportedAt, true);
  if (before && result.changes.length === 0)
    return translate(language, 'aan.alreadyImported', { date: before });
  const counted = Object.fromEntries(
    COUNTED.map((key) => [key, translate(language, `aan.count.${key}`, { count: result[key] })]),
  );
  const done = translate(language, 'aan.done', {
    ...counted,
    matched: result.matched,
    notInRegister: result.notInRegister,
  });
  return before ? `${translate(language, 'aan.importedBefore', { date: before })} ${done}` : done;
}

const HEADER_PROBLEMS = new Set(['header', 'missingColumns', 'duplicateColumn']);

/**
 * The sentence above a refused list's problems: the header line, the file as a whole, or its lines,
 * whichever the problems are about.
 */
export function aanRejectedIntroKey(problems: readonly { line: number; problem: string }[]): string {
  if (problems.length > 0 && problems.every((p) => HEADER_PROBLEMS.has(p.problem)))
    return 'aan.rejectedIntroHeader';
  if (problems.length > 0 && problems.every((p) => p.line === 0)) return 'aan.rejectedIntroFile';
  return 'aan.rejectedIntro';
}
