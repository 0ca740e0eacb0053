import type { QueryRunner } from 'typeorm';
import { must } from '../shared/must';

/**
 * History the register never rewrites. The runtime role may only add and read rows here; the
 * triggers that refuse changes stay in force because that role cannot alter the tables.
 */
export const APPEND_ONLY_TABLES = [
  'audit_events',
  'status_events',
  'attestations',
  'audit_verifications',
  'merkle_leaves',
  'merkle_nodes',
  'log_checkpoints',
  'log_cosignatures',
] as const;

/**
 * Tables whose rows are written once and may be deleted, never changed: the personal details of
 * audit events, erased on request (AVG art. 17) while the event itself stays.
 */
export const INSERT_DELETE_ONLY_TABLES = ['audit_personal_data'] as const;

/** The user a connection URL logs in as, or undefined when the URL leaves it to the driver. */
export function roleOf(url: string): string | undefined {
  const user = new URL(url).username;
  return user ? decodeURIComponent(user) : undefined;
}

/** `name` quoted as an SQL identifier. */
export function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * Gives the runtime role exactly what the app needs on every table and sequence in schema public,
 * and nothing more: run by the owner after every migration run, in one transaction, so that new
 * tables get their grants too and earlier grants cannot linger. Reading and writing rows only; no
 * TRUNCATE, REFERENCES or TRIGGER; the append-only tables and the migrations table take no UPDATE
 * or DELETE (the migrations table not even INSERT). Schema changes stay with the owner.
 */
export async function grantRuntimePrivileges(runner: QueryRunner, runtimeRole: string): Promise<void> {
  const role = quoteIdentifier(runtimeRole);
  const ownTransaction = !runner.isTransactionActive;
  if (ownTransaction) await runner.startTransaction();
  try {
    await runner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${role}`);
    await runner.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${role}`);
    await runner.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
    await runner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${role}`);
    await runner.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${role}`);
    await runner.query(`REVOKE UPDATE, DELETE ON ${APPEND_ONLY_TABLES.join(', ')} FROM ${role}`);
    await runner.query(`REVOKE UPDATE ON ${INSERT_DELETE_ONLY_TABLES.join(', ')} FROM ${role}`);
    await runner.query(`REVOKE INSERT, UPDATE, DELETE ON migrations FROM ${role}`);
    // Before PostgreSQL 15 every role may create tables in schema public; the owner of the schema
    // (the database owner from 15 on) takes that away. Elsewhere the DBA does (see the README).
    const [schema] = (await runner.query(
      `SELECT pg_has_role(current_user, nspowner, 'USAGE') AS owns FROM pg_namespace WHERE nspname = 'public'`,
    )) as { owns: boolean }[];
    const { owns } = must(schema, 'schema public exists');
    if (owns) {
      await runner.query(`REVOKE CREATE ON SCHEMA public FROM PUBLIC`);
      await runner.query(`REVOKE CREATE ON SCHEMA public FROM ${role}`);
    }
    if (ownTransaction) await runner.commitTransaction();
  } catch (error) {
    if (ownTransaction) await runner.rollbackTransaction();
    throw error;
  }
}

/** What is wrong with the role a connection runs as, for the app's own connection; empty when nothing. */
export async function runtimeRoleProblems(runner: {
  query(sql: string, parameters?: unknown[]): Promise<unknown>;
}): Promise<string[]> {
  const [found] = (await runner.query(
    `
    SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS "bypassRls",
      EXISTS (
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND pg_has_role(current_user, c.relowner, 'MEMBER')
      ) AS owns,
      has_schema_privilege('public', 'CREATE') AS "createsTables",
      EXISTS (
        SELECT 1 FROM unnest($1::text[]) AS t(name)
        WHERE to_regclass(t.name) IS NOT NULL
          AND (has_table_privilege(t.name, 'UPDATE') OR has_table_privilege(t.name, 'DELETE')
            OR has_table_privilege(t.name, 'TRUNCATE'))
      ) AS "rewritesHistory"
    FROM pg_roles r WHERE r.rolname = current_user`,
    [APPEND_ONLY_TABLES],
  )) as {
    name: string;
    superuser: boolean;
    bypassRls: boolean;
    owns: boolean;
    createsTables: boolean;
    rewritesHistory: boolean;
  }[];
  const role = must(found, 'the current user is a role');
  const problems: string[] = [];
  if (role.superuser) problems.push(`${role.name} is a superuser`);
  if (role.owns) problems.push(`${role.name} owns (or may act as the owner of) tables in schema public`);
  if (role.createsTables) problems.push(`${role.name} may create objects in schema public`);
  if (role.rewritesHistory) {
    problems.push(`${role.name} may update, delete or truncate ${APPEND_ONLY_TABLES.join(', ')}`);
  }
  return problems;
}
