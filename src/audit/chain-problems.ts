import type { BrokenLink } from './audit-chain';
import type { LogProblem } from './log-check';
import { RECONCILIATION_PROBLEMS, type ReconciliationProblem } from './reconciliation';

/**
 * Every problem a verification can find and record (audit_verifications.problem: migration 1764700000000's CHECK
 * constraint holds the same list, and a later kind needs a migration that widens it): one list, so that a new kind is added
 * in one place. Each has its words in verification-report.ts and `audit.problem.<kind>` in both languages.
 */
export const CHAIN_PROBLEMS = [
  'content_mismatch',
  'predecessor_mismatch',
  'anchor_missing',
  'anchor_mismatch',
  'log_shrank',
  'leaf_mismatch',
  'checkpoint_mismatch',
  'checkpoint_signature',
  'checkpoint_missing',
  ...RECONCILIATION_PROBLEMS,
] as const;

/** What can be wrong: a link of the chain, the log against an earlier verification or a checkpoint, a live table against the log. */
export type ChainProblem = (typeof CHAIN_PROBLEMS)[number];

// The list and the kinds the code names must be the same, both ways.
type Named =
  BrokenLink['problem'] | 'anchor_missing' | 'anchor_mismatch' | LogProblem | ReconciliationProblem;
const listed: readonly Named[] = CHAIN_PROBLEMS;
const named: [Exclude<ChainProblem, Named>, Exclude<Named, ChainProblem>] extends [never, never]
  ? true
  : never = true;
void listed;
void named;
