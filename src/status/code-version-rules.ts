import { addDays, startOfLocalDay, toLocalDate } from '../shared/time';
import { codeVersionLapsesAt, type CodeVersionFact } from './status-rules';

/**
 * What publishing a code-of-conduct version may do, as pure rules (no database, no clock). A
 * published transition is a promise to every provider on an older version: publishing may never
 * move an announced lapse earlier, nor make a version published later lapse. So a new version is
 * published after the latest one, under a higher label, and its transition ends no earlier than
 * any lapse already announced.
 */

/**
 * A label as administrators write versions: numbers separated by dots ("2.5", "3.0", "10.0"),
 * without leading zeros, so "04.0" is not stored next to an equal "4.0" as typed.
 */
export function isVersionLabel(label: string): boolean {
  return /^(0|[1-9][0-9]{0,5})(\.(0|[1-9][0-9]{0,5})){0,5}$/.test(label);
}

/**
 * Compares two version labels numerically by their dotted parts, a missing part counting as 0:
 * "2.5" < "3.0" < "10.0", and "3" equals "3.0". Negative, zero or positive, as sort expects.
 */
export function compareVersionLabels(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const diff = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return 0;
}

/** A version as these rules see it: its facts and its label. */
export interface LabelledVersion extends CodeVersionFact {
  label: string;
}

/** Why a publication is refused: a translation key for a form field, with the values it names. */
export interface PublicationProblem {
  field: 'versionLabel' | 'publishedOn' | 'transitionEndsOn';
  key: string;
  /** Dates as the start of their Dutch calendar day, for pages to write in words. */
  params?: Record<string, string | Date>;
}

/** When each existing version lapses before and after the candidate is published. */
export interface LapseChange {
  id: string;
  label: string;
  before?: Date;
  after?: Date;
}

export function lapsesAfterPublication(
  candidate: CodeVersionFact,
  versions: readonly LabelledVersion[],
): LapseChange[] {
  const after = [...versions, candidate];
  return versions.map((v) => ({
    id: v.id,
    label: v.label,
    before: codeVersionLapsesAt(v, versions),
    after: codeVersionLapsesAt(v, after),
  }));
}

/**
 * The problems with publishing `candidate` next to `versions` (the versions that count: none
 * withdrawn); none when it may be published. Labels that are not numbers (written before labels
 * had to be) take no part in the order.
 */
export function publicationProblems(
  candidate: LabelledVersion,
  versions: readonly LabelledVersion[],
): PublicationProblem[] {
  const problems: PublicationProblem[] = [];
  if (!isVersionLabel(candidate.label)) {
    problems.push({ field: 'versionLabel', key: 'codeVersions.invalidLabel' });
  } else {
    const numbered = versions.filter((v) => isVersionLabel(v.label));
    const highest = numbered
      .map((v) => v.label)
      .sort(compareVersionLabels)
      .at(-1);
    if (numbered.some((v) => compareVersionLabels(v.label, candidate.label) === 0))
      problems.push({ field: 'versionLabel', key: 'codeVersions.labelTaken' });
    else if (highest !== undefined && compareVersionLabels(candidate.label, highest) < 0)
      problems.push({ field: 'versionLabel', key: 'codeVersions.labelNotHigher', params: { highest } });
  }
  const latest = versions.reduce<LabelledVersion | undefined>(
    (l, v) => (!l || v.publishedAt.getTime() > l.publishedAt.getTime() ? v : l),
    undefined,
  );
  if (latest && candidate.publishedAt.getTime() <= latest.publishedAt.getTime())
    problems.push({
      field: 'publishedOn',
      key: 'codeVersions.notNewest',
      params: { latestLabel: latest.label, latestPublished: latest.publishedAt },
    });
  // Named after the latest lapse it would move, so the date in the message is the one to meet.
  const shortened = lapsesAfterPublication(candidate, versions)
    .filter((c) => c.before && c.after && c.after.getTime() < c.before.getTime())
    .sort((a, b) => (b.before?.getTime() ?? 0) - (a.before?.getTime() ?? 0))[0];
  if (shortened?.before)
    problems.push({
      field: 'transitionEndsOn',
      key: 'codeVersions.shortensTransition',
      params: { shortenedLabel: shortened.label, firstDay: startOfLocalDay(firstDayFrom(shortened.before)) },
    });
  return problems;
}

/**
 * The first calendar day a transition may end on to keep a lapse announced for `lapse`: a
 * transition ends at the start of its day, so a lapse later in a day is met only by the next day.
 */
export function firstDayFrom(lapse: Date): string {
  const day = toLocalDate(lapse);
  const start = startOfLocalDay(day);
  // A day and a half after its start is always inside the next day, whatever daylight saving does.
  return start.getTime() >= lapse.getTime() ? day : toLocalDate(addDays(start, 1.5));
}
