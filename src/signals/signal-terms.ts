/*
 * Issue 19: the words of a signal every part uses (the database's CHECK constraints hold the same
 * lists): its categories and confidences, a provider's answers, and how people write its number.
 */

export const SIGNAL_CATEGORIES = [
  'ransomware',
  'phishing',
  'spam',
  'malware',
  'botnet',
  'ddos',
  'fraud',
  'child_abuse',
  'other',
] as const;
export type SignalCategory = (typeof SIGNAL_CATEGORIES)[number];

export const SIGNAL_CONFIDENCES = ['low', 'medium', 'high'] as const;
export type SignalConfidence = (typeof SIGNAL_CONFIDENCES)[number];

/** What a provider did about a match. */
export const MATCH_ACTIONS = [
  'terminated',
  'suspended',
  'investigating',
  'not_our_customer',
  'disputed',
] as const;
export type MatchAction = (typeof MATCH_ACTIONS)[number];

/** A signal's number as the supplier, the provider and reviewers write it: SIG-000123. */
export function signalReference(number: string | number): string {
  return `SIG-${String(number).padStart(6, '0')}`;
}

/** Words people (and spreadsheets) use for each category and confidence, in Dutch and English. */
const CATEGORY_WORDS: Readonly<Record<string, SignalCategory>> = {
  fraude: 'fraud',
  oplichting: 'fraud',
  kindermisbruik: 'child_abuse',
  childabuse: 'child_abuse',
  csam: 'child_abuse',
  anders: 'other',
  overig: 'other',
  overige: 'other',
};
const CONFIDENCE_WORDS: Readonly<Record<string, SignalConfidence>> = {
  laag: 'low',
  middel: 'medium',
  gemiddeld: 'medium',
  hoog: 'high',
};

const word = (typed: string) =>
  typed
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');

/** A category as typed (`fraude`, `Fraud`, `DDoS`, `child_abuse`), or undefined. */
export function readCategory(typed: string): SignalCategory | undefined {
  const key = word(typed);
  return SIGNAL_CATEGORIES.find((c) => word(c) === key) ?? CATEGORY_WORDS[key];
}

/** A confidence as typed (`hoog`, `High`, `middel`), or undefined. */
export function readConfidence(typed: string): SignalConfidence | undefined {
  const key = word(typed);
  return SIGNAL_CONFIDENCES.find((c) => c === key) ?? CONFIDENCE_WORDS[key];
}
