import 'reflect-metadata';
import path from 'node:path';
import { DataSource } from 'typeorm';
import { Attestation } from '../attestation/attestation.entity';
import { Provider } from '../provider/provider.entity';
import { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { StatusEvent } from '../status/status-event.entity';
import { AuditEvent } from '../audit/audit-event.entity';
import { User } from '../identity/user.entity';
import { AccountToken } from '../identity/account-token.entity';
import { RecoveryCode } from '../identity/recovery-code.entity';
import { OutboxMail } from '../mail/outbox-mail.entity';
import { Application } from '../application/application.entity';
import { ApplicationMessage } from '../application/application-message.entity';
import { Evidence } from '../application/evidence.entity';

export const ENTITIES = [
  Provider,
  CodeOfConductVersion,
  StatusEvent,
  AuditEvent,
  User,
  AccountToken,
  RecoveryCode,
  OutboxMail,
  Application,
  ApplicationMessage,
  Evidence,
  Attestation,
];

/** Compiled migrations live next to the compiled sources: dist/migrations. */
const MIGRATIONS = path.join(__dirname, '..', '..', 'migrations', '*.js');

export interface DataSourceOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The register's DataSource. The schema comes only from migrations; `synchronize` stays off. */
export function createDataSource({
  url,
  poolSize = 10,
  applicationName = 'register-vhp',
}: DataSourceOptions): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: ENTITIES,
    migrations: [MIGRATIONS],
    migrationsTableName: 'migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName,
    poolSize,
    connectTimeoutMS: 3000,
    extra: {
      // The register's queries are short; compiling one with JIT costs more than it saves, and a
      // far-off row estimate (trigram matches are hard to estimate) would otherwise trigger it.
      options: '-c jit=off',
      // Fail fast while the database is away, so pages answer 503 instead of hanging.
      connectionTimeoutMillis: 3000,
      idleTimeoutMillis: 10000,
    },
  });
}

/** True when every migration this build knows of has been applied (read-only, unlike showMigrations). */
export async function migrationsUpToDate(dataSource: DataSource): Promise<boolean> {
  const [{ exists }] = (await dataSource.query(`SELECT to_regclass('migrations') IS NOT NULL AS exists`)) as {
    exists: boolean;
  }[];
  if (!exists) return dataSource.migrations.length === 0;
  const rows = (await dataSource.query('SELECT name FROM migrations')) as { name: string }[];
  const applied = new Set(rows.map((r) => r.name));
  return dataSource.migrations.every((m) => m.name !== undefined && applied.has(m.name));
}
