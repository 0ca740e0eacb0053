import type { AttestationState } from '../attestation/attestation-rules';
import { issueAttestation } from '../attestation/attestation.service';
import type { Keyring } from '../attestation/signing';
import type { DataSource, EntityManager } from 'typeorm';
import { addUser } from '../identity/account.service';
import type { Role, User } from '../identity/user.entity';
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
import type { StatusEventKind } from '../status/status-rules';
import { lockSeeding } from './seed.queries';

export const DEMO_ACTOR = 'seed:demo';

/** The password of every demo login; printed at start, never used outside a demo. */
export const DEMO_PASSWORD = 'demo-register-2026';

export const DEMO_REVIEWER = 'beoordelaar@register.example';

export const DEMO_STAFF: { email: string; name: string; role: Role }[] = [
  { email: DEMO_REVIEWER, name: 'Bea Oordelaar (demo)', role: 'reviewer' },
  { email: 'auditor@register.example', name: 'Aud Itor (demo)', role: 'auditor' },
  { email: 'beheerder@register.example', name: 'Bert Beheer (demo)', role: 'admin' },
];

/** Demo KvK numbers start with 9999: fictional, and easy to recognise as such. */
const KVK_PREFIX = '9999';

type VersionKey = 'v1' | 'v2' | 'v3';

/** One step of a demo history, `monthsAgo` before the moment of seeding. */
interface Step {
  kind: StatusEventKind;
  monthsAgo: number;
  reason?: string;
  /** listing_approved: months of validity (default 12). */
  validMonths?: number;
  version?: VersionKey;
  /** listing_approved: AAN participation since, in months before seeding. */
  aanMonthsAgo?: number;
  /** suspended: planned end, in months from the moment of seeding (negative: in the past). */
  suspendedForMonths?: number;
}

interface DemoProvider {
  /** A demo login acting for this provider. */
  login?: string;
  /** The last submission is an application waiting for review, with evidence. */
  openApplication?: boolean;
  legalName: string;
  tradeNames: string[];
  city: string;
  postcode: string;
  street: string;
  /** The status this provider has right after seeding; the tests hold the seed to it. */
  expected: string;
  steps: Step[];
}

const approve = (monthsAgo: number, version: VersionKey, extra: Partial<Step> = {}): Step => ({
  kind: 'listing_approved',
  monthsAgo,
  version,
  aanMonthsAgo: monthsAgo + 6,
  ...extra,
});
const submit = (monthsAgo: number): Step => ({ kind: 'application_submitted', monthsAgo });

/** Fictional providers whose histories together show every outcome of the status rules. */
export const DEMO_PROVIDERS: DemoProvider[] = [
  {
    login: 'aanbieder@polderwolk.example',
    legalName: 'Polderwolk Hosting B.V.',
    tradeNames: ['Polderwolk'],
    city: 'Amersfoort',
    postcode: '3811 AA',
    street: 'Voorbeeldstraat 1',
    expected: 'verantwoord',
    steps: [submit(21), approve(20, 'v2'), submit(9), approve(8, 'v3', { validMonths: 16 })],
  },
  {
    legalName: 'Dijkgraaf Datacenters B.V.',
    tradeNames: ['Dijkgraaf DC', 'DGDC'],
    city: 'Zwolle',
    postcode: '8011 AB',
    street: 'Proefweg 12',
    expected: 'verantwoord',
    steps: [submit(5), approve(4, 'v3')],
  },
  {
    legalName: 'Klompenserver B.V.',
    tradeNames: [],
    city: 'Enschede',
    postcode: '7511 AC',
    street: 'Testlaan 7',
    expected: 'verantwoord',
    steps: [submit(11), approve(10, 'v2')],
  },
  {
    legalName: 'Molenrack Colocatie B.V.',
    tradeNames: ['Molenrack'],
    city: 'Groningen',
    postcode: '9711 AD',
    street: 'Fictieplein 3',
    expected: 'verantwoord',
    steps: [
      submit(14),
      approve(13, 'v2', { validMonths: 18 }),
      {
        kind: 'suspended',
        monthsAgo: 6,
        reason: 'Abuse-meldingen werden niet binnen de termijn afgehandeld.',
      },
      {
        kind: 'suspension_lifted',
        monthsAgo: 5,
        reason: 'Afhandeling van abuse-meldingen is op orde gebracht.',
      },
    ],
  },
  {
    legalName: 'Tulpdata Hosting B.V.',
    tradeNames: ['Tulpdata'],
    city: 'Haarlem',
    postcode: '2011 AE',
    street: 'Denkbeeldweg 44',
    expected: 'expired',
    steps: [submit(17), approve(16, 'v2'), { kind: 'application_submitted', monthsAgo: 1 }],
  },
  {
    legalName: 'Grachtengordel Cloud B.V.',
    tradeNames: ['GG Cloud'],
    city: 'Amsterdam',
    postcode: '1015 AF',
    street: 'Herengracht 999',
    expected: 'suspended',
    steps: [
      submit(8),
      approve(7, 'v2'),
      { kind: 'suspended', monthsAgo: 1, reason: 'Onderzoek naar herhaalde malafide reseller-klanten.' },
    ],
  },
  {
    legalName: 'Deltaserver Nederland B.V.',
    tradeNames: ['Deltaserver'],
    city: 'Middelburg',
    postcode: '4331 AG',
    street: 'Zeeweg 5',
    expected: 'suspended',
    steps: [
      submit(10),
      approve(9, 'v2'),
      { kind: 'suspended', monthsAgo: 0.5, reason: 'Abuse-contact onbereikbaar.', suspendedForMonths: 1 },
    ],
  },
  {
    legalName: 'Hunebed Hosting B.V.',
    tradeNames: [],
    city: 'Emmen',
    postcode: '7811 AH',
    street: 'Steenweg 2',
    expected: 'revoked',
    steps: [
      submit(20),
      approve(19, 'v2'),
      submit(8),
      approve(7, 'v2'),
      {
        kind: 'revoked',
        monthsAgo: 2,
        reason: 'Bewust diensten geleverd aan een bekende malafide reseller.',
      },
    ],
  },
  {
    legalName: 'Waddenweb B.V.',
    tradeNames: ['Waddenweb'],
    city: 'Leeuwarden',
    postcode: '8911 AJ',
    street: 'Kwelderlaan 8',
    expected: 'code_of_conduct_outdated',
    steps: [submit(11), approve(10, 'v1', { validMonths: 12, aanMonthsAgo: 24 })],
  },
  {
    legalName: 'Stroopwafel Servers B.V.',
    tradeNames: ['Stroopwafel'],
    city: 'Gouda',
    postcode: '2801 AK',
    street: 'Markt 21',
    expected: 'aan_participation_ended',
    steps: [
      submit(6),
      approve(5, 'v3'),
      { kind: 'aan_participation_ended', monthsAgo: 0.75, reason: 'Deelname aan het AAN opgezegd.' },
    ],
  },
  {
    login: 'aanvrager@fietsbel.example',
    openApplication: true,
    legalName: 'Fietsbel Hosting B.V.',
    tradeNames: ['Fietsbel'],
    city: 'Utrecht',
    postcode: '3511 AL',
    street: 'Stationsplein 100',
    expected: 'application_pending',
    steps: [submit(0.25)],
  },
  {
    legalName: 'Kaasmarkt Compute B.V.',
    tradeNames: [],
    city: 'Alkmaar',
    postcode: '1811 AM',
    street: 'Waagplein 4',
    expected: 'rejected',
    steps: [
      submit(3),
      {
        kind: 'application_rejected',
        monthsAgo: 2,
        reason: 'Ondertekening van de gedragscode niet aangetoond.',
      },
    ],
  },
  {
    legalName: 'Zuiderzee Hosting B.V.',
    tradeNames: ['ZZH'],
    city: 'Lelystad',
    postcode: '8211 AN',
    street: 'Dijkweg 16',
    expected: 'not_listed',
    steps: [],
  },
  {
    legalName: 'Windkracht Web B.V.',
    tradeNames: [],
    city: 'Den Helder',
    postcode: '1781 AP',
    street: 'Havenkade 9',
    expected: 'not_listed',
    steps: [submit(4), { kind: 'application_withdrawn', monthsAgo: 3.5 }],
  },
];

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

/**
 * Attestations issued in the past, so that the demo shows every answer of the verification page:
 * valid, suspended (provider suspended since), revoked (status lost since) and expired.
 */
export const DEMO_ATTESTATIONS: { provider: string; monthsAgo: number; expected: AttestationState }[] = [
  { provider: 'Polderwolk', monthsAgo: 1, expected: 'valid' },
  { provider: 'Grachtengordel', monthsAgo: 2, expected: 'suspended' },
  { provider: 'Hunebed', monthsAgo: 3, expected: 'revoked' },
  { provider: 'Stroopwafel', monthsAgo: 2, expected: 'revoked' },
  { provider: 'Tulpdata', monthsAgo: 15, expected: 'expired' },
];

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

export function demoKvk(index: number): string {
  return `${KVK_PREFIX}${String(index + 1).padStart(4, '0')}`;
}
