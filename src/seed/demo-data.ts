import type { AttestationState } from '../attestation/attestation-rules';
import type { Role } from '../identity/user.entity';
import type { StatusEventKind } from '../status/status-rules';

/**
 * The demo data itself: fictional staff, providers with histories that together show every outcome
 * of the status rules, and past attestations. `demo.ts` loads it.
 */

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

export type VersionKey = 'v1' | 'v2' | 'v3';

/** One step of a demo history, `monthsAgo` before the moment of seeding. */
export interface Step {
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

export interface DemoProvider {
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

export function demoKvk(index: number): string {
  return `${KVK_PREFIX}${String(index + 1).padStart(4, '0')}`;
}
