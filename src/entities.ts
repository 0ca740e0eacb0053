import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { createDataSource, type DataSourceOptions } from './database/data-source';
import { Attestation } from './attestation/attestation.entity';
import { Provider } from './provider/provider.entity';
import { CodeOfConductVersion } from './status/code-of-conduct-version.entity';
import { StatusEvent } from './status/status-event.entity';
import { AuditEvent } from './audit/audit-event.entity';
import { User } from './identity/user.entity';
import { AccountToken } from './identity/account-token.entity';
import { RecoveryCode } from './identity/recovery-code.entity';
import { OutboxMail } from './mail/outbox-mail.entity';
import { Application } from './application/application.entity';
import { ApplicationMessage } from './application/application-message.entity';
import { Evidence } from './application/evidence.entity';

/** Every entity of the register, for its DataSource: the one place where database/ meets the domains. */
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

/** The register's DataSource: `createDataSource` with every entity of the register. */
export function createRegisterDataSource(options: Omit<DataSourceOptions, 'entities'>): DataSource {
  return createDataSource({ ...options, entities: ENTITIES });
}
