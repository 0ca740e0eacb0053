import { ASSURANCE_LEVELS, type AssuranceLevel } from '../config';

/*
 * What an eHerkenning login's ID token must say, as pure rules (no clock, no network): the assurance
 * level from `acr`, and the KvK number from the configured claim.
 */

/**
 * The `acr` values eHerkenning brokers send, per level: the eToegang URN
 * (`urn:etoegang:core:assurance-class:loa3`) and the plain level name (`EH3`, case-insensitive).
 */
const LEVEL_NAMES: Readonly<Record<AssuranceLevel, readonly string[]>> = {
  EH1: ['urn:etoegang:core:assurance-class:loa1', 'eh1'],
  EH2: ['urn:etoegang:core:assurance-class:loa2', 'eh2'],
  'EH2+': ['urn:etoegang:core:assurance-class:loa2plus', 'eh2+', 'eh2plus'],
  EH3: ['urn:etoegang:core:assurance-class:loa3', 'eh3'],
  EH4: ['urn:etoegang:core:assurance-class:loa4', 'eh4'],
};

/** The level an `acr` value names; undefined for anything else (a missing or unknown value). */
export function assuranceLevelOf(acr: unknown): AssuranceLevel | undefined {
  if (typeof acr !== 'string') return undefined;
  const value = acr.trim().toLowerCase();
  return ASSURANCE_LEVELS.find((level) => LEVEL_NAMES[level].includes(value));
}

/** The URN a broker is asked for (`acr_values`) for a level. */
export function acrValueOf(level: AssuranceLevel): string {
  return LEVEL_NAMES[level][0]!;
}

/** Whether `level` is at least `required` (EH1 < EH2 < EH2+ < EH3 < EH4). */
export function meetsLevel(level: AssuranceLevel, required: AssuranceLevel): boolean {
  return ASSURANCE_LEVELS.indexOf(level) >= ASSURANCE_LEVELS.indexOf(required);
}

/** A segment that says "what follows is a KvK number": KvKnr (eToegang's), KvKnummer, KvK. */
const KVK_QUALIFIER = /^kvk(nr|nummer|number)?$/i;

/**
 * The KvK number a claim carries: a bare 8-digit value, or one ending in `:<8 digits>` right after a
 * KvK-number qualifier (`urn:etoegang:1.9:EntityConcernedID:KvKnr:12345678`). Anything else (another
 * kind of identifier such as an RSIN, a number of another length, not a text): undefined.
 */
export function kvkNumberFromClaim(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (/^[0-9]{8}$/.test(trimmed)) return trimmed;
  const parts = trimmed.split(':');
  const number = parts.at(-1) ?? '';
  const qualifier = parts.at(-2) ?? '';
  return parts.length >= 2 && /^[0-9]{8}$/.test(number) && KVK_QUALIFIER.test(qualifier) ? number : undefined;
}

/**
 * Why an eHerkenning login was refused: each has its page text (`eherkenning.refused.<reason>`), its
 * HTTP status, and is recorded as `security.eherkenning_refused` with the reason.
 */
export const REFUSAL_STATUS = {
  /** The callback came without a login this browser started (an old or reused link, another browser). */
  no_login_started: 400,
  state_mismatch: 400,
  nonce_mismatch: 400,
  wrong_issuer: 400,
  wrong_audience: 400,
  token_expired: 400,
  token_not_yet_valid: 400,
  bad_signature: 400,
  /** The broker refused the code (used already, expired, or not for this client). */
  code_rejected: 400,
  /** The broker answered the login with an error (the person cancelled, or the broker refused). */
  broker_error: 400,
  /** Anything else the broker sent that does not check out. */
  invalid_response: 400,
  assurance_too_low: 403,
  kvk_missing: 400,
  /** The person's account is blocked. */
  account_disabled: 403,
  /**
   * The person's account was disabled when a reviewer handed the organisation over to a claimant:
   * the page says to contact the register, and a reviewer gets a task.
   */
  handed_over: 403,
  /** The person's account acts for another organisation than the one this login is for. */
  other_organisation: 403,
  /** The broker could not be reached. */
  broker_unreachable: 502,
} as const;
export type RefusalReason = keyof typeof REFUSAL_STATUS;
export const REFUSAL_REASONS = Object.keys(REFUSAL_STATUS) as RefusalReason[];
