import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { testConfig } from '../helpers/app';
import { signalKeys } from '../../src/signals/signal-keys';
import {
  emptyIdentity,
  exactIdentifiers,
  identifierMac,
  resellerNameKey,
  type ResellerIdentity,
} from '../../src/signals/reseller-identifiers';

/** Seals and keys identifiers as the app under test does (the fixed test key). */
export const testSignalKeys = signalKeys(testConfig.secretsKey!);

/** A signal supplier organisation (e.g. a police unit) with a unique name. */
export async function givenSignalSupplier(
  dataSource: DataSource,
  name?: string,
): Promise<{ id: string; name: string }> {
  const supplierName = name ?? `Politie eenheid ${randomUUID().slice(0, 8)}`;
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO signal_suppliers (name) VALUES ($1) RETURNING id`,
    [supplierName],
  );
  return { id: row!.id, name: supplierName };
}

export interface GivenSignal {
  id: string;
  number: string;
}

/**
 * A signal stored as the register stores one (sealed content, HMACs of its exact identifiers),
 * without matching it against declared resellers: a test that needs matches runs the matching.
 */
export async function givenSignal(
  dataSource: DataSource,
  supplierId: string,
  identity: Partial<ResellerIdentity>,
  options: {
    category?: string;
    confidence?: string;
    observedOn?: string;
    expiresOn?: string;
    text?: string;
    withdrawnAt?: Date;
  } = {},
): Promise<GivenSignal> {
  const full = { ...emptyIdentity(), ...identity };
  const [row] = await dataSource.query<{ id: string; number: string }[]>(
    `INSERT INTO signals (signal_supplier_id, category, confidence, observed_on, expires_on, sealed, source, withdrawn_at)
     VALUES ($1, $2, $3, $4, $5, $6, 'form', $7) RETURNING id, number`,
    [
      supplierId,
      options.category ?? 'phishing',
      options.confidence ?? 'high',
      options.observedOn ?? '2026-11-01',
      options.expiresOn ?? '2099-12-31',
      testSignalKeys.seal({ identity: full, text: options.text ?? '' }),
      options.withdrawnAt ?? null,
    ],
  );
  for (const { kind, value } of exactIdentifiers(full, false)) {
    await dataSource.query(
      `INSERT INTO signal_identifiers (signal_id, kind, mac) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
      [row!.id, kind, identifierMac(testSignalKeys.macKey, kind, value)],
    );
  }
  return { id: row!.id, number: String(row!.number) };
}

/**
 * A provider's declared reseller as the register stores one (the clear values, and the identifiers
 * the matching reads: HMACs of the exact ones, IP ranges, name keys), without matching it.
 */
export async function givenDeclaredReseller(
  dataSource: DataSource,
  providerId: string,
  identity: Partial<ResellerIdentity>,
  options: { reference?: string; removedAt?: Date } = {},
): Promise<{ id: string }> {
  const full = { ...emptyIdentity(), ...identity };
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO declared_resellers
       (provider_id, reference, names, kvk_number, domains, mail_domains, ip_ranges, as_numbers, source, removed_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7::cidr[], $8, 'form', $9) RETURNING id`,
    [
      providerId,
      options.reference ?? '',
      full.names,
      full.kvkNumbers[0] ?? null,
      full.domains,
      full.mailDomains,
      full.ipRanges,
      full.asNumbers,
      options.removedAt ?? null,
    ],
  );
  const id = row!.id;
  for (const { kind, value } of exactIdentifiers(full, true)) {
    await dataSource.query(
      `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, mac) VALUES ($1, $2, $3, $4)`,
      [id, providerId, kind, identifierMac(testSignalKeys.macKey, kind, value)],
    );
  }
  for (const range of full.ipRanges)
    await dataSource.query(
      `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, ip_range) VALUES ($1, $2, 'ip_range', $3)`,
      [id, providerId, range],
    );
  for (const name of full.names)
    await dataSource.query(
      `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, name_key) VALUES ($1, $2, 'name', $3)`,
      [id, providerId, resellerNameKey(name)],
    );
  return { id };
}

/** A match of a signal with a declared reseller, as the matcher would store it, in any state. */
export async function givenMatch(
  dataSource: DataSource,
  signalId: string,
  providerId: string,
  declaredResellerId: string,
  options: {
    kind?: 'exact' | 'possible';
    matchedOn?: string[];
    matchedAt?: Date;
    answerDueAt?: Date;
    /** The provider's answers, oldest first: the newest is the answer in force. */
    answers?: { action: string; at: Date; note?: string }[];
    confirmedAt?: Date;
    dismissedAt?: Date;
    sharedAt?: Date;
    remindedDays?: number[];
  } = {},
): Promise<{ id: string }> {
  const matchedAt = options.matchedAt ?? new Date();
  const [row] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO signal_matches (signal_id, provider_id, declared_reseller_id, kind, matched_on, matched_at,
                                 answer_due_at, confirmed_at, dismissed_at, action, first_answered_at, shared_at,
                                 notified_at, reminded_days)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $6, $13) RETURNING id`,
    [
      signalId,
      providerId,
      declaredResellerId,
      options.kind ?? 'exact',
      options.matchedOn ?? ['domain'],
      matchedAt,
      options.answerDueAt ?? new Date(matchedAt.getTime() + 30 * 86_400_000),
      options.confirmedAt ?? null,
      options.dismissedAt ?? null,
      options.answers?.at(-1)?.action ?? null,
      options.answers?.[0]?.at ?? null,
      options.sharedAt ?? null,
      options.remindedDays ?? [],
    ],
  );
  for (const answer of options.answers ?? [])
    await dataSource.query(
      `INSERT INTO signal_match_answers (signal_match_id, action, note, answered_at) VALUES ($1, $2, $3, $4)`,
      [row!.id, answer.action, answer.note ?? '', answer.at],
    );
  return { id: row!.id };
}

/**
 * A match with a declared reseller made for it (named by `reference`), for tests of what the
 * supplier and reviewers see of a match rather than of the reseller.
 */
export async function givenReferencedMatch(
  dataSource: DataSource,
  signalId: string,
  providerId: string,
  options: Omit<NonNullable<Parameters<typeof givenMatch>[4]>, 'answerDueAt' | 'matchedOn'> & {
    reference?: string;
    answerDays?: number;
  } = {},
): Promise<{ id: string; declaredResellerId: string }> {
  const { reference, answerDays, ...rest } = options;
  const declared = await givenDeclaredReseller(
    dataSource,
    providerId,
    { names: ['Wederverkoper BV'] },
    { reference: reference ?? `klant-${randomUUID().slice(0, 8)}` },
  );
  const matchedAt = rest.matchedAt ?? new Date();
  const match = await givenMatch(dataSource, signalId, providerId, declared.id, {
    ...rest,
    matchedAt,
    matchedOn: [rest.kind === 'possible' ? 'name' : 'domain'],
    answerDueAt: new Date(matchedAt.getTime() + (answerDays ?? 30) * 86_400_000),
  });
  return { id: match.id, declaredResellerId: declared.id };
}
