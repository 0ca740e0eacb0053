/*
 * Issue 19: the signal supplier organisations (e.g. a police unit) and their people, managed by
 * administrators. A person is invited (the staff invitation, tied to the organisation) and must set
 * up the staff second factor; an administrator disables or enables a person, never deletes one.
 */
import type { DataSource, EntityManager } from 'typeorm';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import { isUniqueViolation } from '../database/availability';
import { type DisableRules, setAccountDisabled } from '../identity/disable-account';
import { deleteSessionsOfSignalSupplier } from '../identity/account.queries';
import { inviteSignalSupplierPerson } from '../identity/invitation.service';
import { type User } from '../identity/user.entity';
import { NotFoundError, ValidationError } from '../shared/errors';
import { isOneLine } from '../shared/forbidden-characters';
import { isUuid } from '../shared/identifiers';

export interface SignalSupplierRow {
  id: string;
  name: string;
  createdAt: Date;
  /** When an administrator suspended the organisation (F22); null while it is active. */
  disabledAt: Date | null;
  people: number;
  signals: number;
}

export interface SignalSupplierPerson {
  id: string;
  name: string;
  email: string;
  lastLoginAt: Date | null;
  disabledAt: Date | null;
  secondFactor: boolean;
}

export interface SignalSupplierInvitation {
  id: string;
  email: string;
  createdAt: Date;
  expiresAt: Date;
}

/** The longest name of an organisation (the table's check says the same). */
export const MAX_SUPPLIER_NAME = 200;

function checkedName(raw: string): string {
  const name = raw.trim();
  if (name === '') throw new ValidationError({ signalSupplierName: ['validation.required'] });
  if (name.length > MAX_SUPPLIER_NAME)
    throw new ValidationError({ signalSupplierName: ['validation.tooLong'] });
  if (!isOneLine(name)) throw new ValidationError({ signalSupplierName: ['validation.oneLine'] });
  return name;
}

/** A name another organisation has already is refused with a message, not a 500. */
async function uniqueName<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, 'signal_suppliers_name_key'))
      throw new ValidationError({ signalSupplierName: ['signalSuppliers.nameTaken'] });
    throw error;
  }
}

/** The organisation's name, for its people's pages. */
export async function supplierNameOf(manager: EntityManager, id: string): Promise<string | undefined> {
  const [row] = await manager.query<{ name: string }[]>(`SELECT name FROM signal_suppliers WHERE id = $1`, [
    id,
  ]);
  return row?.name;
}

/** Every signal supplier organisation, by name, with how many people and signals it has. */
export function allSignalSuppliers(manager: EntityManager): Promise<SignalSupplierRow[]> {
  return manager.query<SignalSupplierRow[]>(
    `SELECT s.id, s.name, s.created_at AS "createdAt", s.disabled_at AS "disabledAt",
            (SELECT count(*)::int FROM users u WHERE u.signal_supplier_id = s.id) AS people,
            (SELECT count(*)::int FROM signals g WHERE g.signal_supplier_id = s.id) AS signals
       FROM signal_suppliers s ORDER BY lower(s.name)`,
  );
}

/** An administrator adds an organisation. */
export async function createSignalSupplier(
  dataSource: DataSource,
  admin: User,
  rawName: string,
  now: Date,
): Promise<string> {
  const name = checkedName(rawName);
  return uniqueName(() =>
    dataSource.transaction(async (manager) => {
      const [row] = await manager.query<{ id: string }[]>(
        `INSERT INTO signal_suppliers (name, created_at) VALUES ($1, $2) RETURNING id`,
        [name, now],
      );
      await appendAuditEvent(manager, now, {
        actor: actorOf(admin),
        action: 'signal_supplier.created',
        subjectType: 'signal_supplier',
        subjectId: row!.id,
        data: { name },
      });
      return row!.id;
    }),
  );
}

/** An administrator renames an organisation. */
export async function renameSignalSupplier(
  dataSource: DataSource,
  admin: User,
  id: string,
  rawName: string,
  now: Date,
): Promise<void> {
  const name = checkedName(rawName);
  if (!isUuid(id)) throw new NotFoundError(`no signal supplier ${id}`);
  await uniqueName(() =>
    dataSource.transaction(async (manager) => {
      const [rows] = await manager.query<[unknown[], number]>(
        `UPDATE signal_suppliers SET name = $2 WHERE id = $1 RETURNING id`,
        [id, name],
      );
      if (rows.length === 0) throw new NotFoundError(`no signal supplier ${id}`);
      await appendAuditEvent(manager, now, {
        actor: actorOf(admin),
        action: 'signal_supplier.renamed',
        subjectType: 'signal_supplier',
        subjectId: id,
        data: { name },
      });
    }),
  );
}

/** One organisation with its people (active first) and its open invitations; not found when unknown. */
export async function signalSupplierOverview(
  manager: EntityManager,
  id: string,
  now: Date,
): Promise<{
  supplier: SignalSupplierRow;
  people: SignalSupplierPerson[];
  invitations: SignalSupplierInvitation[];
}> {
  const supplier = isUuid(id) ? (await allSignalSuppliers(manager)).find((s) => s.id === id) : undefined;
  if (!supplier) throw new NotFoundError(`no signal supplier ${id}`);
  const [people, invitations] = await Promise.all([
    manager.query<SignalSupplierPerson[]>(
      `SELECT id, name, email, last_login_at AS "lastLoginAt", disabled_at AS "disabledAt",
              totp_enabled_at IS NOT NULL AS "secondFactor"
         FROM users WHERE signal_supplier_id = $1 ORDER BY disabled_at IS NOT NULL, lower(name), email`,
      [id],
    ),
    manager.query<SignalSupplierInvitation[]>(
      `SELECT id, email, created_at AS "createdAt", expires_at AS "expiresAt" FROM account_tokens
        WHERE purpose = 'invitation' AND signal_supplier_id = $1 AND used_at IS NULL AND expires_at > $2
        ORDER BY created_at`,
      [id, now],
    ),
  ]);
  return { supplier, people, invitations };
}

/** An administrator invites a person to an organisation by address. */
export async function inviteToSignalSupplier(
  dataSource: DataSource,
  admin: User,
  id: string,
  email: string,
  baseUrl: string,
  now: Date,
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError(`no signal supplier ${id}`);
  await dataSource.transaction(async (manager) => {
    const [supplier] = await manager.query<{ id: string }[]>(
      `SELECT id FROM signal_suppliers WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!supplier) throw new NotFoundError(`no signal supplier ${id}`);
    await inviteSignalSupplierPerson(manager, admin, id, email, baseUrl, now);
  });
}

/** A signal supplier's person as an administrator disables them: audited with their organisation. */
const SUPPLIER_PEOPLE: DisableRules = {
  role: 'signal_supplier',
  field: 'signalSupplierPerson',
  actions: { disabled: 'signal_supplier.person_disabled', enabled: 'signal_supplier.person_enabled' },
  data: (person) => ({ signalSupplierId: person.signalSupplierId }),
};

/** A signal supplier's person's organisation (undefined: no such person), for the page a refusal shows. */
export async function supplierOfPerson(manager: EntityManager, userId: string): Promise<string | undefined> {
  if (!isUuid(userId)) return undefined;
  const [row] = await manager.query<{ id: string }[]>(
    `SELECT signal_supplier_id AS id FROM users WHERE id = $1 AND role = 'signal_supplier'`,
    [userId],
  );
  return row?.id;
}

/**
 * Disables or re-enables a signal supplier's person. Disabling ends their sessions at once (their
 * API keys are the organisation's, and stay until revoked); an erased person stays disabled.
 * Answers their organisation.
 */
export async function setSignalSupplierPersonDisabled(
  dataSource: DataSource,
  admin: User,
  userId: string,
  disabled: boolean,
  now: Date,
): Promise<string> {
  return dataSource.transaction(async (manager) => {
    const { account } = await setAccountDisabled(
      manager,
      SUPPLIER_PEOPLE,
      actorOf(admin),
      userId,
      disabled,
      now,
    );
    return account.signalSupplierId!;
  });
}

/**
 * Suspends a signal supplier organisation, or lifts the suspension (tester's F22). While it is
 * suspended its people cannot sign in and their sessions ended at once, its API keys are refused
 * and it sends no signal (each check reads `signal_suppliers.disabled_at`). Nothing of the people
 * or keys is changed: lifting the suspension gives back exactly the people and keys that were not
 * disabled or revoked one by one. One transaction with its audit event; doing it twice changes nothing.
 */
export async function setSignalSupplierSuspended(
  dataSource: DataSource,
  admin: User,
  id: string,
  suspended: boolean,
  now: Date,
): Promise<void> {
  if (!isUuid(id)) throw new NotFoundError(`no signal supplier ${id}`);
  await dataSource.transaction(async (manager) => {
    const [supplier] = await manager.query<{ disabled_at: Date | null }[]>(
      `SELECT disabled_at FROM signal_suppliers WHERE id = $1 FOR UPDATE`,
      [id],
    );
    if (!supplier) throw new NotFoundError(`no signal supplier ${id}`);
    if (Boolean(supplier.disabled_at) === suspended) return;
    await manager.query(`UPDATE signal_suppliers SET disabled_at = $2 WHERE id = $1`, [
      id,
      suspended ? now : null,
    ]);
    if (suspended) await deleteSessionsOfSignalSupplier(manager, id);
    const [counts] = await manager.query<{ people: number; keys: number }[]>(
      `SELECT (SELECT count(*)::int FROM users WHERE signal_supplier_id = $1 AND disabled_at IS NULL) AS people,
              (SELECT count(*)::int FROM api_keys WHERE signal_supplier_id = $1 AND revoked_at IS NULL) AS keys`,
      [id],
    );
    await appendAuditEvent(manager, now, {
      actor: actorOf(admin),
      action: suspended ? 'signal_supplier.suspended' : 'signal_supplier.reinstated',
      subjectType: 'signal_supplier',
      subjectId: id,
      // What the change stopped or gave back: the people and keys not disabled or revoked one by one.
      data: { activePeople: counts!.people, activeKeys: counts!.keys },
    });
  });
}
