import type { AttestationState } from '../attestation/attestation-rules';
import type { Role } from '../identity/user.entity';

/**
 * The demo data itself: fictional staff, code-of-conduct versions, AAN participant lists and
 * providers whose histories together show every outcome of the status rules. Every step is
 * something a person does in the register (apply, decide, suspend, import a list, ask for an
 * attestation) at a moment `monthsAgo` before seeding; `demo.ts` plays them in order through the
 * register's own services, moving the clock forward.
 */

export const DEMO_ACTOR = 'seed:demo';

/** The password of every demo login; printed at start, never used outside a demo. */
export const DEMO_PASSWORD = 'demo-register-2026';

export const DEMO_REVIEWER = 'beoordelaar@register.example';
/** The second reviewer: decisions in the demo are taken by both, by name. */
export const DEMO_SECOND_REVIEWER = 'beoordelaar2@register.example';
export const DEMO_ADMIN = 'beheerder@register.example';

/** The demo buyer (inkoper, issue 18): a government organisation's person with one watch list. */
export const DEMO_BUYER = {
  email: 'inkoper@ministerie.example',
  name: 'Ilse Inkoop (demo)',
  organisation: 'Ministerie van Voorbeeldzaken (demo)',
  listName: 'Hostingcontracten (demo)',
} as const;

export const DEMO_STAFF: { email: string; name: string; role: Role }[] = [
  { email: DEMO_REVIEWER, name: 'Bea Oordelaar (demo)', role: 'reviewer' },
  { email: DEMO_SECOND_REVIEWER, name: 'Ruben Keur (demo)', role: 'reviewer' },
  { email: 'auditor@register.example', name: 'Aud Itor (demo)', role: 'auditor' },
  { email: DEMO_ADMIN, name: 'Bert Beheer (demo)', role: 'admin' },
];

/** Demo KvK numbers start with 9999: fictional, and easy to recognise as such. */
const KVK_PREFIX = '9999';

export type VersionKey = 'v1' | 'v2' | 'v3';
/** Which demo reviewer takes a decision: Bea (the README's login) or Ruben. */
export type ReviewerKey = 'bea' | 'ruben';
export const DEMO_REVIEWERS: Record<ReviewerKey, string> = {
  bea: DEMO_REVIEWER,
  ruben: DEMO_SECOND_REVIEWER,
};

/**
 * The code-of-conduct versions the administrator publishes, each on its publication day: 1.0
 * lapsed a month ago (when 2.0's transition ended); 2.0 is the older version still inside its
 * transition period; 3.0 is current.
 */
export const DEMO_CODE_VERSIONS: {
  key: VersionKey;
  label: string;
  monthsAgo: number;
  /** The end of the transition period for the versions before it (negative: still ahead). */
  transitionEndsMonthsAgo: number;
}[] = [
  { key: 'v1', label: '1.0', monthsAgo: 40, transitionEndsMonthsAgo: 34 },
  { key: 'v2', label: '2.0', monthsAgo: 25, transitionEndsMonthsAgo: 1 },
  { key: 'v3', label: '3.0', monthsAgo: 6, transitionEndsMonthsAgo: -3 },
];

/** When the administrator imports the AAN participant list (it names every demo participant). */
export const DEMO_AAN_IMPORTS_MONTHS_AGO = [12, 0.75];

/** One thing done to a demo provider, `monthsAgo` before the moment of seeding. */
export type Step =
  /** The provider starts an application, fills it in, uploads both pieces of evidence and submits it. */
  | { action: 'apply'; monthsAgo: number; version: VersionKey; aanMonthsAgo: number }
  /** A reviewer takes up, approves, rejects or sends back an application (a message with the latter two). */
  | {
      action: 'start_review' | 'approve' | 'reject' | 'request_changes';
      monthsAgo: number;
      by: ReviewerKey;
      reason?: string;
    }
  /** The provider uploads a corrected piece of evidence and submits again. */
  | { action: 'resubmit'; monthsAgo: number }
  | { action: 'withdraw'; monthsAgo: number }
  /** A reviewer suspends (optionally for `suspendedForMonths`), lifts or revokes the listing. */
  | {
      action: 'suspend' | 'lift' | 'revoke';
      monthsAgo: number;
      by: ReviewerKey;
      reason: string;
      suspendedForMonths?: number;
    }
  /** A reviewer confirms who the organisation is without deciding on an application. */
  | { action: 'confirm_identity'; monthsAgo: number; by: ReviewerKey };

export interface DemoProvider {
  /** The provider's demo login (default `contact@<first word>.example`). */
  login?: string;
  legalName: string;
  tradeNames: string[];
  city: string;
  postcode: string;
  street: string;
  /** When the organisation registered, in months before seeding. */
  registeredMonthsAgo: number;
  /** The AAN participant list says participation ended this long ago. */
  aanEndedMonthsAgo?: number;
  /** The status this provider has right after seeding; the tests hold the seed to it. */
  expected: string;
  steps: Step[];
}

const apply = (monthsAgo: number, version: VersionKey, aanMonthsAgo = monthsAgo + 6): Step => ({
  action: 'apply',
  monthsAgo,
  version,
  aanMonthsAgo,
});
const approve = (monthsAgo: number, by: ReviewerKey): Step => ({ action: 'approve', monthsAgo, by });
const review = (monthsAgo: number, by: ReviewerKey): Step => ({ action: 'start_review', monthsAgo, by });

/** Fictional providers whose histories together show every outcome of the status rules. */
export const DEMO_PROVIDERS: DemoProvider[] = [
  {
    login: 'aanbieder@polderwolk.example',
    legalName: 'Polderwolk Hosting B.V.',
    tradeNames: ['Polderwolk'],
    city: 'Amersfoort',
    postcode: '3811 AA',
    street: 'Voorbeeldstraat 1',
    registeredMonthsAgo: 18.5,
    expected: 'verantwoord',
    // Listed on 2.0, renewed in the renewal window on 3.0 (then just published): its listing carries on.
    steps: [
      apply(18, 'v2'),
      review(17.5, 'bea'),
      approve(17, 'bea'),
      apply(5.5, 'v3', 24),
      approve(5.25, 'ruben'),
    ],
  },
  {
    legalName: 'Dijkgraaf Datacenters B.V.',
    tradeNames: ['Dijkgraaf DC', 'DGDC'],
    city: 'Zwolle',
    postcode: '8011 AB',
    street: 'Proefweg 12',
    registeredMonthsAgo: 5.5,
    expected: 'verantwoord',
    // Sent back once for a better AAN confirmation, then approved on 3.0.
    steps: [
      apply(5, 'v3'),
      review(4.9, 'ruben'),
      {
        action: 'request_changes',
        monthsAgo: 4.75,
        by: 'ruben',
        reason: 'De bevestiging van de AAN-deelname is niet ondertekend.',
      },
      { action: 'resubmit', monthsAgo: 4.5 },
      approve(4, 'ruben'),
    ],
  },
  {
    legalName: 'Klompenserver B.V.',
    tradeNames: [],
    city: 'Enschede',
    postcode: '7511 AC',
    street: 'Testlaan 7',
    registeredMonthsAgo: 11.5,
    expected: 'verantwoord',
    // Listed on 2.0; its listing ends in two months, so it is due for renewal.
    steps: [apply(11, 'v2'), approve(10, 'bea')],
  },
  {
    legalName: 'Molenrack Colocatie B.V.',
    tradeNames: ['Molenrack'],
    city: 'Groningen',
    postcode: '9711 AD',
    street: 'Fictieplein 3',
    registeredMonthsAgo: 14.5,
    expected: 'verantwoord',
    // Suspended six months ago by Bea, lifted by Ruben a month later, renewed on 3.0.
    steps: [
      apply(14, 'v2'),
      review(13.5, 'bea'),
      approve(13, 'bea'),
      {
        action: 'suspend',
        monthsAgo: 6,
        by: 'bea',
        reason: 'Abuse-meldingen werden niet binnen de termijn afgehandeld.',
      },
      {
        action: 'lift',
        monthsAgo: 5,
        by: 'ruben',
        reason: 'Afhandeling van abuse-meldingen is op orde gebracht.',
      },
      apply(3, 'v3', 20),
      approve(2, 'bea'),
    ],
  },
  {
    legalName: 'Tulpdata Hosting B.V.',
    tradeNames: ['Tulpdata'],
    city: 'Haarlem',
    postcode: '2011 AE',
    street: 'Denkbeeldweg 44',
    registeredMonthsAgo: 17.5,
    expected: 'expired',
    // The listing ran out four months ago; a new application waits in the queue.
    steps: [apply(17, 'v2'), approve(16, 'ruben'), apply(1, 'v3', 23)],
  },
  {
    legalName: 'Grachtengordel Cloud B.V.',
    tradeNames: ['GG Cloud'],
    city: 'Amsterdam',
    postcode: '1015 AF',
    street: 'Herengracht 999',
    registeredMonthsAgo: 8.5,
    expected: 'suspended',
    steps: [
      apply(8, 'v2'),
      approve(7, 'bea'),
      {
        action: 'suspend',
        monthsAgo: 1,
        by: 'ruben',
        reason: 'Onderzoek naar herhaalde malafide reseller-klanten.',
      },
    ],
  },
  {
    legalName: 'Deltaserver Nederland B.V.',
    tradeNames: ['Deltaserver'],
    city: 'Middelburg',
    postcode: '4331 AG',
    street: 'Zeeweg 5',
    registeredMonthsAgo: 10.5,
    expected: 'suspended',
    steps: [
      apply(10, 'v2'),
      approve(9, 'ruben'),
      {
        action: 'suspend',
        monthsAgo: 0.5,
        by: 'bea',
        reason: 'Abuse-contact onbereikbaar.',
        suspendedForMonths: 1,
      },
    ],
  },
  {
    legalName: 'Hunebed Hosting B.V.',
    tradeNames: [],
    city: 'Emmen',
    postcode: '7811 AH',
    street: 'Steenweg 2',
    registeredMonthsAgo: 20.5,
    expected: 'revoked',
    steps: [
      apply(20, 'v2'),
      approve(19, 'bea'),
      // Renewed with the same AAN participation as its first listing: it never ended.
      apply(8.5, 'v2', 26),
      approve(7.5, 'ruben'),
      {
        action: 'revoke',
        monthsAgo: 2,
        by: 'bea',
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
    registeredMonthsAgo: 11.5,
    expected: 'code_of_conduct_outdated',
    // Signed 1.0 while it was inside its transition period; 1.0 lapsed a month ago.
    steps: [apply(11, 'v1', 24), approve(10, 'ruben')],
  },
  {
    legalName: 'Stroopwafel Servers B.V.',
    tradeNames: ['Stroopwafel'],
    city: 'Gouda',
    postcode: '2801 AK',
    street: 'Markt 21',
    registeredMonthsAgo: 5.75,
    aanEndedMonthsAgo: 0.75,
    expected: 'aan_participation_ended',
    steps: [apply(5.5, 'v3'), approve(5, 'bea')],
  },
  {
    login: 'aanvrager@fietsbel.example',
    legalName: 'Fietsbel Hosting B.V.',
    tradeNames: ['Fietsbel'],
    city: 'Utrecht',
    postcode: '3511 AL',
    street: 'Stationsplein 100',
    registeredMonthsAgo: 0.5,
    expected: 'application_pending',
    // The application waits in the reviewers' queue with both pieces of evidence.
    steps: [{ action: 'confirm_identity', monthsAgo: 0.4, by: 'bea' }, apply(0.25, 'v3', 2)],
  },
  {
    legalName: 'Kaasmarkt Compute B.V.',
    tradeNames: [],
    city: 'Alkmaar',
    postcode: '1811 AM',
    street: 'Waagplein 4',
    registeredMonthsAgo: 3.25,
    expected: 'rejected',
    steps: [
      apply(3, 'v3'),
      review(2.5, 'ruben'),
      {
        action: 'reject',
        monthsAgo: 2,
        by: 'ruben',
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
    registeredMonthsAgo: 3,
    expected: 'not_listed',
    steps: [{ action: 'confirm_identity', monthsAgo: 2.9, by: 'bea' }],
  },
  {
    legalName: 'Windkracht Web B.V.',
    tradeNames: [],
    city: 'Den Helder',
    postcode: '1781 AP',
    street: 'Havenkade 9',
    registeredMonthsAgo: 4.5,
    expected: 'not_listed',
    steps: [
      { action: 'confirm_identity', monthsAgo: 4.4, by: 'ruben' },
      apply(4, 'v3'),
      { action: 'withdraw', monthsAgo: 3.5 },
    ],
  },
];

/**
 * Attestations the providers' users asked for in the past, so that the demo shows every answer of
 * the verification page: valid, suspended (provider suspended since), revoked (status lost since)
 * and expired.
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

/** The word the demo provider's invented web and mail addresses are made of. */
export function demoDomain(demo: Pick<DemoProvider, 'legalName'>): string {
  return (demo.legalName.split(' ')[0] ?? '').toLowerCase();
}

/** The demo provider's login. */
export function demoLogin(demo: DemoProvider): string {
  return demo.login ?? `contact@${demoDomain(demo)}.example`;
}

/** The organisation as the demo provider fills in the registration form. */
export function demoOrganisation(demo: DemoProvider, index: number) {
  const domain = demoDomain(demo);
  return {
    kvkNumber: demoKvk(index),
    legalName: demo.legalName,
    tradeNames: demo.tradeNames,
    streetAddress: demo.street,
    postcode: demo.postcode,
    city: demo.city,
    website: `https://www.${domain}.example`,
    abuseEmail: `abuse@${domain}.example`,
  };
}

/**
 * Issue 19: the demo signal supplier (the police) and its person, who sets up the second factor at
 * first login as the demo staff do.
 */
export const DEMO_SIGNAL_SUPPLIER = {
  name: 'Politie – Team High Tech Crime',
  email: 'politie@register.example',
  personName: 'Petra Politie (demo)',
} as const;

/** The provider (by the start of its legal name) that declares the demo resellers. */
export const DEMO_RESELLER_PROVIDER = 'Polderwolk';

/** The demo provider's declared resellers (fictional: `.example` domains, 9999 KvK numbers). */
export const DEMO_RESELLERS: {
  reference: string;
  names: string[];
  kvkNumbers: string[];
  domains: string[];
  mailDomains: string[];
  ipRanges: string[];
  asNumbers: number[];
}[] = [
  {
    reference: 'KLANT-1001',
    names: ['Zandbak Webdiensten (demo)'],
    kvkNumbers: ['99998801'],
    domains: ['zandbak-web.example'],
    mailDomains: ['zandbak-web.example'],
    ipRanges: ['192.0.2.0/28'],
    asNumbers: [],
  },
  {
    reference: 'KLANT-1002',
    names: ['Schimmige Servers (demo)'],
    kvkNumbers: [],
    domains: ['schimmige-servers.example'],
    mailDomains: [],
    ipRanges: ['198.51.100.0/26'],
    asNumbers: [64512],
  },
  {
    reference: 'KLANT-1003',
    names: ['Bakfiets Hosting Wederverkoop (demo)'],
    kvkNumbers: ['99998803'],
    domains: ['bakfiets-reseller.example'],
    mailDomains: [],
    ipRanges: [],
    asNumbers: [],
  },
];

/**
 * The police's two demo signals, sent two weeks before seeding: the first names a reseller the demo
 * provider declared (a match waiting for its answer), the second one nobody declared.
 */
export const DEMO_SIGNALS: {
  category: string;
  confidence: string;
  domains: string[];
  names: string[];
  ipRanges: string[];
  asNumbers: number[];
  text: string;
  /** The declared reseller (by reference) it matches, and on what. */
  matches?: { reference: string; on: string[] };
}[] = [
  {
    category: 'phishing',
    confidence: 'high',
    domains: ['schimmige-servers.example'],
    names: ['Schimmige Servers'],
    ipRanges: [],
    asNumbers: [64512],
    text: 'Phishingpagina’s van banken gehost via deze wederverkoper (demo).',
    matches: { reference: 'KLANT-1002', on: ['domain', 'as_number'] },
  },
  {
    category: 'ransomware',
    confidence: 'medium',
    domains: ['duister-datacenter.example'],
    names: ['Duister Datacenter'],
    ipRanges: ['203.0.113.0/24'],
    asNumbers: [],
    text: 'Beheerservers van een ransomwaregroep (demo).',
  },
];
