import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { testConfig } from '../helpers/app';
import { signalKeys } from '../../src/signals/signal-keys';
import {
  emptyIdentity,
  exactIdentifiers,
  identifierMac,
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
 * A match of a signal with a provider's declared reseller, stored as the matcher and the provider's
 * answers would leave it (its declared reseller made here, named by `reference`), for tests of what
 * the supplier and reviewers see. `answers` oldest first; the newest is the answer in force.
 */
export async function givenMatch(
  dataSource: DataSource,
  signalId: string,
  providerId: string,
  options: {
    kind?: 'exact' | 'possible';
    reference?: string;
    matchedAt?: Date;
    answerDays?: number;
    confirmedAt?: Date;
    dismissedAt?: Date;
    sharedAt?: Date;
    answers?: { action: string; note?: string; at: Date }[];
  } = {},
): Promise<{ id: string; declaredResellerId: string }> {
  const matchedAt = options.matchedAt ?? new Date();
  const [reseller] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO declared_resellers (provider_id, reference, names, source) VALUES ($1, $2, $3, 'form') RETURNING id`,
    [providerId, options.reference ?? `klant-${randomUUID().slice(0, 8)}`, ['Wederverkoper BV']],
  );
  const answers = options.answers ?? [];
  const [match] = await dataSource.query<{ id: string }[]>(
    `INSERT INTO signal_matches (signal_id, provider_id, declared_reseller_id, kind, matched_on, matched_at,
                                 answer_due_at, confirmed_at, dismissed_at, action, first_answered_at, shared_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
    [
      signalId,
      providerId,
      reseller!.id,
      options.kind ?? 'exact',
      [options.kind === 'possible' ? 'name' : 'domain'],
      matchedAt,
      new Date(matchedAt.getTime() + (options.answerDays ?? 30) * 86_400_000),
      options.confirmedAt ?? null,
      options.dismissedAt ?? null,
      answers.at(-1)?.action ?? null,
      answers[0]?.at ?? null,
      options.sharedAt ?? null,
    ],
  );
  for (const answer of answers)
    await dataSource.query(
      `INSERT INTO signal_match_answers (signal_match_id, action, note, answered_at) VALUES ($1, $2, $3, $4)`,
      [match!.id, answer.action, answer.note ?? '', answer.at],
    );
  return { id: match!.id, declaredResellerId: reseller!.id };
}
