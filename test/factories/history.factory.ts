import { actorOf } from '../../src/audit/actor';
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  addEvidence,
  saveApplication,
  startApplication,
  submitApplication,
} from '../../src/application/application.service';
import { Application } from '../../src/application/application.entity';
import { actOnProvider } from '../../src/application/provider-actions.service';
import { decide } from '../../src/application/review.service';
import { issueAttestation } from '../../src/attestation/attestation.service';
import type { Provider } from '../../src/provider/provider.entity';
import { simplePdf } from '../../src/seed/demo-pdf';
import { addMonths, toLocalDate } from '../../src/shared/time';
import type { Express } from 'express';
import { testApp, testConfig, testKeyring, testIssuer } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { type Agent, signedIn } from '../helpers/session';
import { givenCodeVersion, givenProvider } from './provider.factory';
import { givenUser, type TestUser } from './user.factory';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export interface History {
  provider: Provider;
  applicationId: string;
  approvedAt: Date;
  suspendedAt: Date;
  liftedAt: Date;
  evidence: { filename: string; sha256: string }[];
}

/**
 * A provider with a real history made through the services people use, back in time: an
 * application with two evidence files, approved by a named reviewer nine months ago, suspended
 * six months ago, lifted five months ago, and an attestation issued since.
 */
export async function givenHistory(ds: DataSource, reviewer: TestUser, now: Date): Promise<History> {
  const version = await givenCodeVersion(ds, { publishedAt: new Date('2024-01-01T00:00:00Z') });
  const provider = await givenProvider(ds, {
    legalName: `Dossierhosting ${Math.random().toString(36).slice(2, 8)} B.V.`,
  });
  const applicant = await givenUser(ds, 'provider', { providerId: provider.id, name: 'Petra Provider' });
  const start = addMonths(now, -10);
  const application = await startApplication(ds, applicant.user, testConfig, start);
  await saveApplication(
    ds,
    applicant.user,
    application.id,
    {
      codeOfConductVersionId: version.id,
      codeSignedOn: toLocalDate(addMonths(now, -11)),
      signatoryName: 'Petra Provider',
      signatoryRole: 'Directeur',
      aanSince: toLocalDate(addMonths(now, -12)),
      aanContactName: 'Anna AAN',
      aanContactEmail: 'aan@dossier.example',
    },
    String(application.version),
    start,
  );
  const evidence = [];
  for (const kind of ['code_of_conduct', 'aan_confirmation'] as const) {
    const content = simplePdf(`${kind} ${provider.kvkNumber}`);
    const stored = await addEvidence(
      ds,
      applicant.user,
      application.id,
      { kind, filename: `${kind}-getekend.pdf`, content },
      testConfig,
      start,
    );
    evidence.push({ filename: stored.filename, sha256: sha256(content) });
  }
  const version1 = async () =>
    String((await ds.getRepository(Application).findOneByOrFail({ id: application.id })).version);
  await submitApplication(ds, applicant.user, application.id, await version1(), testConfig, start);
  const approvedAt = addMonths(now, -9);
  await decide(
    ds,
    reviewer.user,
    application.id,
    { action: 'start_review', message: '', version: await version1() },
    testConfig,
    approvedAt,
  );
  await decide(
    ds,
    reviewer.user,
    application.id,
    { action: 'approve', message: 'Gedragscode en AAN-bevestiging in orde.', version: await version1() },
    testConfig,
    approvedAt,
  );
  const suspendedAt = addMonths(now, -6);
  await actOnProvider(
    ds,
    reviewer.user,
    provider.kvkNumber,
    { action: 'suspend', reason: 'Abuse-meldingen niet binnen de termijn afgehandeld.', until: '' },
    testConfig,
    suspendedAt,
  );
  const liftedAt = addMonths(now, -5);
  await actOnProvider(
    ds,
    reviewer.user,
    provider.kvkNumber,
    { action: 'lift', reason: '', until: '' },
    testConfig,
    liftedAt,
  );
  await issueAttestation(
    ds,
    {
      providerId: provider.id,
      actor: actorOf(reviewer.user),
      publicBaseUrl: testConfig.publicBaseUrl,
      keyring: testKeyring,
      issuer: testIssuer,
    },
    addMonths(now, -4),
  );
  return { provider, applicationId: application.id, approvedAt, suspendedAt, liftedAt, evidence };
}

/** What the dossier tests share: a database with one provider's history, its reviewer, and an auditor signed in. */
export interface DossierWorld {
  db: TestDatabase;
  app: Express;
  now: Date;
  reviewer: TestUser;
  auditorUser: TestUser;
  auditor: Agent;
  history: History;
}

/** Builds the dossier world for a describe block (before) and drops its database (after). */
export function useDossierWorld(): DossierWorld {
  const world = { now: new Date() } as DossierWorld;
  before(async function () {
    this.timeout(60_000);
    world.db = await createTestDatabase();
    world.app = testApp(world.db.dataSource).app;
    world.reviewer = await givenUser(world.db.dataSource, 'reviewer', { name: 'Rita Rechtvaardig' });
    world.auditorUser = await givenUser(world.db.dataSource, 'auditor', { name: 'Arie Auditor' });
    world.auditor = await signedIn(world.app, world.auditorUser);
    world.history = await givenHistory(world.db.dataSource, world.reviewer, world.now);
  });
  after(() => world.db.drop());
  return world;
}
