import type { EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import type { Config } from '../config';
import { addUser } from '../identity/account.service';
import { secretsKeyFor } from '../identity/secrets';
import type { User } from '../identity/user.entity';
import { addDays } from '../shared/time';
import {
  emptyIdentity,
  exactIdentifiers,
  identifierMac,
  resellerNameKey,
} from '../signals/reseller-identifiers';
import { signalKeys } from '../signals/signal-keys';
import { matchSignals } from '../signals/signal-matching';
import { DEMO_ACTOR, DEMO_RESELLERS, DEMO_SIGNAL_SUPPLIER, DEMO_SIGNALS } from './demo-data';

/*
 * Issue 19's demo: the police as a signal supplier with one person, a demo provider's declared
 * resellers, and two signals of which one matches. Stored as the register stores them: the signals'
 * content sealed with the signal key (from the secrets key), identifiers as HMACs; every step with
 * its audit event (ids and counts only, under the hidden-header prefixes).
 */

/** The police as a signal supplier, and its demo person (second factor set up at first login). */
export async function seedSignalSupplier(
  manager: EntityManager,
  passwordHash: string,
  now: Date,
): Promise<{ supplierId: string; user: User }> {
  const [supplier] = await manager.query<{ id: string }[]>(
    `INSERT INTO signal_suppliers (name, created_at) VALUES ($1, $2) RETURNING id`,
    [DEMO_SIGNAL_SUPPLIER.name, now],
  );
  await appendAuditEvent(manager, now, {
    actor: DEMO_ACTOR,
    action: 'signal_supplier.created',
    subjectType: 'signal_supplier',
    subjectId: supplier!.id,
    data: {},
  });
  const user = await addUser(
    manager,
    {
      email: DEMO_SIGNAL_SUPPLIER.email,
      name: DEMO_SIGNAL_SUPPLIER.personName,
      role: 'signal_supplier',
      providerId: null,
      signalSupplierId: supplier!.id,
      passwordHash,
      emailVerifiedAt: now,
    },
    DEMO_ACTOR,
    now,
  );
  return { supplierId: supplier!.id, user };
}

/** The demo provider's declared resellers, as its user adds them; answers their ids by reference. */
export async function seedDeclaredResellers(
  manager: EntityManager,
  config: Config,
  providerId: string,
  user: User,
  now: Date,
): Promise<Map<string, string>> {
  const macKey = signalKeys(secretsKeyFor(config)).macKey;
  const ids = new Map<string, string>();
  for (const reseller of DEMO_RESELLERS) {
    const [row] = await manager.query<{ id: string }[]>(
      `INSERT INTO declared_resellers
         (provider_id, reference, names, kvk_number, domains, mail_domains, ip_ranges, as_numbers, source, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7::cidr[], $8, 'form', $9, $10) RETURNING id`,
      [
        providerId,
        reseller.reference,
        reseller.names,
        reseller.kvkNumbers[0] ?? null,
        reseller.domains,
        reseller.mailDomains,
        reseller.ipRanges,
        reseller.asNumbers,
        now,
        user.id,
      ],
    );
    const id = row!.id;
    ids.set(reseller.reference, id);
    const identity = { ...emptyIdentity(), ...reseller };
    for (const { kind, value } of exactIdentifiers(identity, true))
      await manager.query(
        `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, mac) VALUES ($1, $2, $3, $4)`,
        [id, providerId, kind, identifierMac(macKey, kind, value)],
      );
    for (const range of reseller.ipRanges)
      await manager.query(
        `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, ip_range) VALUES ($1, $2, 'ip_range', $3)`,
        [id, providerId, range],
      );
    for (const name of reseller.names)
      await manager.query(
        `INSERT INTO declared_reseller_identifiers (declared_reseller_id, provider_id, kind, name_key) VALUES ($1, $2, 'name', $3)`,
        [id, providerId, resellerNameKey(name)],
      );
  }
  await appendAuditEvent(manager, now, {
    actor: actorOf(user),
    action: 'reseller.declared',
    subjectType: 'provider',
    subjectId: providerId,
    data: { declaredResellerIds: [...ids.values()], count: ids.size },
  });
  return ids;
}

/**
 * The police's demo signals, each matched by the register's matching (the first matches the
 * provider's declared reseller, due `config.signalAnswerDays` later and not yet answered).
 */
export async function seedSignals(
  manager: EntityManager,
  config: Config,
  supplier: { supplierId: string; user: User },
  providerId: string,
  resellers: Map<string, string>,
  now: Date,
): Promise<void> {
  const keys = signalKeys(secretsKeyFor(config));
  for (const demo of DEMO_SIGNALS) {
    const identity = {
      ...emptyIdentity(),
      domains: demo.domains,
      names: demo.names,
      ipRanges: demo.ipRanges,
      asNumbers: demo.asNumbers,
    };
    const [signal] = await manager.query<{ id: string }[]>(
      `INSERT INTO signals (signal_supplier_id, category, confidence, observed_on, expires_on, sealed, source, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'form', $7, $8) RETURNING id`,
      [
        supplier.supplierId,
        demo.category,
        demo.confidence,
        addDays(now, -3).toISOString().slice(0, 10),
        addDays(now, 365).toISOString().slice(0, 10),
        keys.seal({ identity, text: demo.text }),
        now,
        supplier.user.id,
      ],
    );
    for (const { kind, value } of exactIdentifiers(identity, false))
      await manager.query(
        `INSERT INTO signal_identifiers (signal_id, kind, mac) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`,
        [signal!.id, kind, identifierMac(keys.macKey, kind, value)],
      );
    await appendAuditEvent(manager, now, {
      actor: actorOf(supplier.user),
      action: 'signal.created',
      subjectType: 'signal',
      subjectId: signal!.id,
      data: { signalId: signal!.id },
    });
    // Matched as the register matches a signal it receives: one run per signal, its one
    // `signal_match.found` event written whatever it found (the second signal matches nothing).
    await matchSignals(
      manager,
      keys,
      [signal!.id],
      { answerDays: config.signalAnswerDays, baseUrl: config.publicBaseUrl },
      now,
    );
    const declared = demo.matches && resellers.get(demo.matches.reference);
    if (!declared) continue;
    const [found] = await manager.query<unknown[]>(
      `SELECT 1 FROM signal_matches WHERE signal_id = $1 AND provider_id = $2 AND declared_reseller_id = $3`,
      [signal!.id, providerId, declared],
    );
    if (!found) throw new Error(`demo signal ${demo.category} did not match ${demo.matches!.reference}`);
  }
}
