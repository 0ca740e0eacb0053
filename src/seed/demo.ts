import { issueAttestation } from '../attestation/attestation.service';
import type { Keyring } from '../attestation/signing';
import type { DataSource, EntityManager } from 'typeorm';
import { addUser } from '../identity/account.service';
import type { User } from '../identity/user.entity';
import { Application } from '../application/application.entity';
import { ApplicationMessage } from '../application/application-message.entity';
import { Evidence } from '../application/evidence.entity';
import { appendAuditEvent } from '../audit/audit.service';
import { sha256Hex } from '../shared/tokens';
import { simplePdf } from './demo-pdf';
import { confirmIdentity, createProvider } from '../register/provider.service';
import { Provider } from '../provider/provider.entity';
import type { Logger } from '../shared/logger';
import { addDays, addMonths, toLocalDate } from '../shared/time';
import type { CodeOfConductVersion } from '../status/code-of-conduct-version.entity';
import { publishCodeOfConductVersion } from '../status/code-of-conduct.service';
import { recordStatusEvent } from '../status/status.service';
import { lockSeeding } from './seed.queries';
import {
  DEMO_ACTOR,
  DEMO_ATTESTATIONS,
  DEMO_PASSWORD,
  DEMO_PROVIDERS,
  DEMO_REVIEWER,
  DEMO_STAFF,
  demoKvk,
  type VersionKey,
} from './demo-data';

/** The moment `months` (may be fractional) before `now`, on the Dutch calendar. */
function monthsBefore(now: Date, months: number): Date {
  const whole = Math.floor(months);
  return addDays(addMonths(now, -whole), -Math.round((months - whole) * 30));
}

async function publishDemoVersions(
  manager: EntityManager,
  now: Date,
): Promise<Record<VersionKey, CodeOfConductVersion>> {
  // v1 lapsed a month ago; v2 is the older version still inside its transition period; v3 is current.
  const v1 = await publishCodeOfConductVersion(
    manager,
    {
      label: '1.0',
      title: 'Gedragscode Abusebestrijding 1.0 (demo)',
      publishedAt: monthsBefore(now, 40),
      transitionEndsAt: monthsBefore(now, 40),
    },
    DEMO_ACTOR,
    now,
  );
  const v2 = await publishCodeOfConductVersion(
    manager,
    {
      label: '2.0',
      title: 'Gedragscode Abusebestrijding 2.0 (demo)',
      publishedAt: monthsBefore(now, 25),
      transitionEndsAt: monthsBefore(now, 1),
    },
    DEMO_ACTOR,
    now,
  );
  const v3 = await publishCodeOfConductVersion(
    manager,
    {
      label: '3.0',
      title: 'Gedragscode Abusebestrijding 3.0 (demo)',
      publishedAt: monthsBefore(now, 2),
      transitionEndsAt: addMonths(now, 4),
    },
    DEMO_ACTOR,
    now,
  );
  return { v1, v2, v3 };
}

/** A submitted application with both pieces of evidence, waiting in the reviewers' queue. */
async function demoApplication(
  manager: EntityManager,
  providerId: string,
  user: User,
  version: CodeOfConductVersion,
  submittedAt: Date,
  now: Date,
): Promise<Application> {
  const application = manager.create(Application, {
    providerId,
    kind: 'listing',
    state: 'submitted',
    codeOfConductVersionId: version.id,
    codeSignedOn: toLocalDate(addDays(submittedAt, -3)),
    signatoryName: 'F. Bel',
    signatoryRole: 'Directeur',
    aanSince: toLocalDate(addMonths(submittedAt, -2)),
    aanContactName: 'A. Buse',
    aanContactEmail: 'aan@fietsbel.example',
    submittedAt,
    createdBy: user.id,
  });
  await manager.insert(Application, application);
  for (const [kind, text] of [
    ['code_of_conduct', 'Ondertekende Gedragscode Abusebestrijding 3.0 (demo)'],
    ['aan_confirmation', 'Bevestiging deelname Anti Abuse Netwerk (demo)'],
  ] as const) {
    const content = simplePdf(text);
    await manager.insert(Evidence, {
      applicationId: application.id,
      kind,
      filename: `${kind}.pdf`,
      size: content.length,
      sha256: sha256Hex(content),
      content,
      uploadedBy: user.id,
    });
  }
  await manager.insert(ApplicationMessage, {
    applicationId: application.id,
    kind: 'submitted',
    authorId: user.id,
  });
  await appendAuditEvent(manager, now, {
    actor: DEMO_ACTOR,
    action: 'application.submitted',
    subjectType: 'application',
    subjectId: application.id,
  });
  return application;
}

/**
 * Loads the demo data in one transaction; nothing is written when any of it fails. Skips (and
 * answers 0) when the demo providers are already there, or with `onlyIfEmpty` when any provider is.
 */
export async function seedDemoData(
  dataSource: DataSource,
  options: { now: Date; onlyIfEmpty?: boolean; attestations?: DemoAttestationOptions },
): Promise<number> {
  const { now } = options;
  const count = await seedDemoRegister(dataSource, now, options.onlyIfEmpty ?? false);
  if (count > 0 && options.attestations) await seedDemoAttestations(dataSource, options.attestations, now);
  return count;
}

export interface DemoAttestationOptions {
  keyring: Keyring;
  publicBaseUrl: string;
}

async function seedDemoAttestations(dataSource: DataSource, options: DemoAttestationOptions, now: Date) {
  for (const demo of DEMO_ATTESTATIONS) {
    const index = DEMO_PROVIDERS.findIndex((d) => d.legalName.startsWith(demo.provider));
    const provider = await dataSource.getRepository(Provider).findOneByOrFail({ kvkNumber: demoKvk(index) });
    await issueAttestation(
      dataSource,
      {
        providerId: provider.id,
        actor: DEMO_ACTOR,
        publicBaseUrl: options.publicBaseUrl,
        keyring: options.keyring,
      },
      monthsBefore(now, demo.monthsAgo),
    );
  }
}

async function seedDemoRegister(dataSource: DataSource, now: Date, onlyIfEmpty: boolean): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await lockSeeding(manager);
    const repository = manager.getRepository(Provider);
    if (onlyIfEmpty && (await repository.count()) > 0) return 0;
    if (await repository.existsBy({ kvkNumber: demoKvk(0) })) return 0;
    const versions = await publishDemoVersions(manager, now);
    for (const [index, demo] of DEMO_PROVIDERS.entries()) {
      const kvkNumber = demoKvk(index);
      const domain = (demo.legalName.split(' ')[0] ?? '').toLowerCase();
      const provider = await createProvider(
        manager,
        {
          kvkNumber,
          legalName: demo.legalName,
          tradeNames: demo.tradeNames,
          streetAddress: demo.street,
          postcode: demo.postcode,
          city: demo.city,
          website: `https://www.${domain}.example`,
          abuseEmail: `abuse@${domain}.example`,
        },
        DEMO_ACTOR,
        now,
      );
      const user = demo.login
        ? await addUser(
            manager,
            {
              email: demo.login,
              name: `Demo ${demo.legalName}`,
              role: 'provider',
              providerId: provider.id,
              password: DEMO_PASSWORD,
            },
            DEMO_ACTOR,
            now,
          )
        : undefined;
      const lastSubmission = demo.steps.filter((s) => s.kind === 'application_submitted').at(-1);
      const application =
        demo.openApplication && user && lastSubmission
          ? await demoApplication(
              manager,
              provider.id,
              user,
              versions.v3,
              monthsBefore(now, lastSubmission.monthsAgo),
              now,
            )
          : undefined;
      for (const step of demo.steps) {
        const effectiveAt = monthsBefore(now, step.monthsAgo);
        const approval = step.kind === 'listing_approved';
        await recordStatusEvent(
          manager,
          {
            providerId: provider.id,
            kind: step.kind,
            effectiveAt,
            actor: DEMO_ACTOR,
            reason: step.reason ?? null,
            validUntil: approval ? addMonths(effectiveAt, step.validMonths ?? 12) : null,
            codeOfConductVersionId: approval ? versions[step.version ?? 'v3'].id : null,
            codeSignedOn: approval ? toLocalDate(monthsBefore(now, step.monthsAgo + 1)) : null,
            aanSince: approval ? monthsBefore(now, step.aanMonthsAgo ?? step.monthsAgo + 6) : null,
            suspendedUntil:
              step.suspendedForMonths !== undefined ? addMonths(now, step.suspendedForMonths) : null,
            applicationId: step === lastSubmission ? (application?.id ?? null) : null,
          },
          now,
        );
      }
      // Every demo provider is public: confirmed by its first decision, or else explicitly by the
      // demo reviewer when it registered.
      const decision = demo.steps.find(
        (st) => st.kind === 'listing_approved' || st.kind === 'application_rejected',
      );
      await confirmIdentity(
        manager,
        provider.id,
        decision ? DEMO_ACTOR : DEMO_REVIEWER,
        { kvkNumber },
        monthsBefore(now, (decision ?? demo.steps[0])?.monthsAgo ?? 0),
      );
    }
    for (const staff of DEMO_STAFF) {
      await addUser(manager, { ...staff, providerId: null, password: DEMO_PASSWORD }, DEMO_ACTOR, now);
    }
    return DEMO_PROVIDERS.length;
  });
}

/** Loads the demo data when the register holds no providers yet (a fresh `npm start`). */
export async function seedDemoDataIfEmpty(
  dataSource: DataSource,
  logger: Logger,
  now: Date,
  attestations?: DemoAttestationOptions,
): Promise<boolean> {
  const count = await seedDemoData(dataSource, { now, onlyIfEmpty: true, attestations });
  if (count > 0) logger.info({ providers: count }, 'demo data loaded');
  return count > 0;
}
