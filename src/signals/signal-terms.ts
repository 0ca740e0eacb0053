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
