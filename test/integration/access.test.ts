import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { addEvidence, startApplication } from '../../src/application/application.service';
import { simplePdf } from '../../src/seed/demo-pdf';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase, testSigner } from '../helpers/database';
import { appRoutes } from '../helpers/routes';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { givenSubscription } from '../factories/webhook.factory';
import { createApiKey } from '../../src/api-keys/api-key.service';
import { declareResellers, resellerLimitsOf } from '../../src/signals/declared-reseller.service';
import { matchSignals } from '../../src/signals/signal-matching';
import { givenSignal, givenSignalSupplier, testSignalKeys } from '../factories/signal.factory';
import { startTestBroker, type TestBroker } from '../helpers/eherkenning';
import { addWatchEntry, createWatchList, watchLimitsOf } from '../../src/buyer/watch-list.service';

/**
 * buyerA and buyerB are buyers (inkopers) of two different buyer organisations (issue 18); signalA and
 * signalB are signal suppliers of two different supplier organisations (issue 19).
 */
const WHO = [
  'anonymous',
  'providerA',
  'providerB',
  'reviewer',
  'auditor',
  'admin',
  'buyerA',
  'buyerB',
  'signalA',
  'signalB',
] as const;
type Who = (typeof WHO)[number];
type Expected = Record<Who, number>;

const all = (status: number): Expected => ({
  anonymous: status,
  providerA: status,
  providerB: status,
  reviewer: status,
  auditor: status,
  admin: status,
  buyerA: status,
  buyerB: status,
  signalA: status,
  signalB: status,
});
/** Signed-in pages: anonymous visitors are sent to the login page (303). */
const signedInOnly = (status: number): Expected => ({ ...all(status), anonymous: 303 });
const staffOnly = (status: number): Expected => ({
  anonymous: 303,
  providerA: 403,
  providerB: 403,
  reviewer: status,
  auditor: status,
  admin: status,
  buyerA: 403,
  buyerB: 403,
  signalA: 403,
  signalB: 403,
});
const reviewerOnly = (status: number): Expected => ({ ...staffOnly(403), reviewer: status });
/** Buyers' pages (issue 18): anonymous visitors log in first; providers and staff are refused. */
const buyersOnly = (status: number): Expected => ({
  ...staffOnly(403),
  reviewer: 403,
  auditor: 403,
  admin: 403,
  buyerA: status,
  buyerB: status,
  signalA: 403,
  signalB: 403,
});
/** A buyer organisation's own list: buyerA's organisation owns it, buyerB's gets 404. */
const ownListOnly = (status: number): Expected => ({ ...buyersOnly(status), buyerB: 404 });
/** A provider's declared resellers and signal matches (issue 19): only its own people; staff never act there. */
const providersOnly = (status: number): Expected => ({
  ...staffOnly(403),
  reviewer: 403,
  auditor: 403,
  admin: 403,
  providerA: status,
  providerB: status,
});
/** Provider A's own reseller or match: provider B gets 404. */
const ownResellerOnly = (status: number): Expected => ({ ...providersOnly(status), providerB: 404 });
/** Signal suppliers' pages (issue 19): anonymous visitors log in first; everyone else is refused. */
const signalSuppliersOnly = (status: number): Expected => ({
  ...buyersOnly(403),
  signalA: status,
  signalB: status,
});
/** A signal of signalA's organisation: signalB's organisation gets 404 (ids reveal nothing). */
const ownSignalOnly = (status: number): Expected => ({ ...signalSuppliersOnly(status), signalB: 404 });
/** The administrators' pages of signal suppliers. */
const adminOnly = (status: number): Expected => ({ ...staffOnly(403), admin: status });

interface Rule {
  /** As Express lists it: ALL is a route that answers any other method (405 in the API). */
  method: 'GET' | 'POST' | 'OPTIONS' | 'ALL' | 'PATCH' | 'DELETE';
  /** The HTTP method to send, when it is not `method` (for ALL). */
  verb?: 'DELETE';
  /** The route as Express knows it. */
  route: string;
  /** The URL requested, with real ids filled in. */
  url: (ids: Ids) => string;
  expect: Expected;
}

interface Ids {
  userA: string;
  applicationA: string;
  evidenceA: string;
  kvkA: string;
  /** buyerA's organisation, a watch list of it with an entry, and a list and an entry the rules may delete. */
  buyerOrganisationA: string;
  listA: string;
  entryA: string;
  deletableListA: string;
  removableEntryA: string;
  /** Organisation A's webhook subscriptions (one to delete) and API key. */
  webhookA: string;
  deletableWebhookA: string;
  apiKeyA: string;
  /** Provider A's declared reseller (removed by its rule) and a signal's match with another of its resellers. */
  removableResellerA: string;
  /** A declared reseller of providerA's that stays (its removal is only asked). */
  keptResellerA: string;
  matchA: string;
  /** signalA's organisation, its person, a signal of it and one the rules may withdraw (issue 19). */
  signalSupplierA: string;
  signalPersonA: string;
  signalA: string;
  withdrawableSignalA: string;
  signalApiKeyA: string;
  /** Another key of signalA's organisation, which an administrator's rule revokes (F22). */
  adminRevocableKeyA: string;
}

/**
 * The access rule of every route, for every kind of visitor. Organisation B never reaches A's
 * application or evidence (404, so ids reveal nothing); only reviewers decide.
 */
const RULES: Rule[] = [
  { method: 'GET', route: '/healthz', url: () => '/healthz', expect: all(200) },
  { method: 'GET', route: '/readyz', url: () => '/readyz', expect: all(200) },
  { method: 'GET', route: '/', url: () => '/', expect: all(200) },
  {
    method: 'GET',
    route: '/assets/nlds/design-tokens.css',
    url: () => '/assets/nlds/design-tokens.css',
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/assets/nlds/components.css',
    url: () => '/assets/nlds/components.css',
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/assets/css/origin.css',
    url: () => '/assets/css/origin.css',
    expect: all(200),
  },
  { method: 'GET', route: '/toegankelijkheid', url: () => '/toegankelijkheid', expect: all(200) },
  { method: 'GET', route: '/privacy', url: () => '/privacy', expect: all(200) },
  { method: 'GET', route: '/api-documentatie', url: () => '/api-documentatie', expect: all(200) },
  ...[
    '/open-data',
    '/open-data/hostingproviders.csv',
    '/open-data/hostingproviders.json',
    '/open-data/statuswijzigingen.atom',
    '/open-data/checkpoints.json',
  ].map((route): Rule => ({ method: 'GET', route, url: () => route, expect: all(200) })),
  // An archive page that is not complete yet: 404 for everyone.
  {
    method: 'GET',
    route: '/open-data/statuswijzigingen/archief/:pagina.atom',
    url: () => '/open-data/statuswijzigingen/archief/100000.atom',
    expect: all(404),
  },
  // A script on another site may ask before it revalidates a download: open to everyone.
  {
    method: 'OPTIONS',
    route:
      '/open-data/hostingproviders.csv,/open-data/hostingproviders.json,/open-data/statuswijzigingen.atom,/open-data/statuswijzigingen/archief/:pagina.atom,/open-data/checkpoints.json',
    url: () => '/open-data/hostingproviders.csv',
    expect: all(204),
  },
  // The transparency log: public, read only (a checkpoint is signed in `before`).
  ...[
    '/transparantie',
    '/transparantie/checkpoint',
    '/transparantie/checkpoints',
    '/transparantie/sleutel',
  ].map((route): Rule => ({ method: 'GET', route, url: () => route, expect: all(200) })),
  {
    method: 'GET',
    route: '/transparantie/tile/*tile',
    url: () => '/transparantie/tile/entries/000.p/1',
    expect: all(200),
  },
  // Witnesses post cosignatures as text/plain, no session or CSRF token: a form post is 415 for everyone.
  {
    method: 'POST',
    route: '/transparantie/cosignaturen',
    url: () => '/transparantie/cosignaturen',
    expect: all(415),
  },
  {
    method: 'OPTIONS',
    route: '/transparantie/cosignaturen',
    url: () => '/transparantie/cosignaturen',
    expect: all(204),
  },
  // A script on another site may ask before it reads the log's files: open to everyone.
  {
    method: 'OPTIONS',
    route: '/transparantie/checkpoint,/transparantie/sleutel,/transparantie/tile/*tile',
    url: () => '/transparantie/tile/entries/000.p/1',
    expect: all(204),
  },
  { method: 'GET', route: '/hostingproviders', url: () => '/hostingproviders', expect: all(200) },
  {
    method: 'GET',
    route: '/hostingproviders/:kvkNumber',
    url: (i) => `/hostingproviders/${i.kvkA}`,
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/controleren',
    url: (i) => `/controleren?kvkNummer=${i.kvkA}&peildatum=2026-01-01`,
    expect: all(200),
  },
  { method: 'GET', route: '/controleren/lijst', url: () => '/controleren/lijst', expect: all(200) },
  // An empty list: a clear message (400), for everyone.
  { method: 'POST', route: '/controleren/lijst', url: () => '/controleren/lijst', expect: all(400) },
  { method: 'GET', route: '/registreren', url: () => '/registreren', expect: all(200) },
  { method: 'POST', route: '/registreren', url: () => '/registreren', expect: all(400) },
  // The claim of a registered KvK number (issue 17): open to anyone; an empty form is a clear 400.
  { method: 'GET', route: '/registreren/claim', url: () => '/registreren/claim', expect: all(200) },
  { method: 'POST', route: '/registreren/claim', url: () => '/registreren/claim', expect: all(400) },
  {
    method: 'GET',
    route: '/registreren/claim/verstuurd',
    url: () => '/registreren/claim/verstuurd',
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/registreren/claim/bevestigen/:token',
    url: () => '/registreren/claim/bevestigen/onbekend',
    expect: all(404),
  },
  {
    method: 'POST',
    route: '/registreren/claim/bevestigen/:token',
    url: () => '/registreren/claim/bevestigen/onbekend',
    expect: all(400),
  },
  { method: 'GET', route: '/inloggen', url: () => '/inloggen', expect: all(200) },
  { method: 'POST', route: '/inloggen', url: () => '/inloggen', expect: all(400) },
  { method: 'GET', route: '/inloggen/tweestaps', url: () => '/inloggen/tweestaps', expect: all(303) },
  { method: 'POST', route: '/inloggen/tweestaps', url: () => '/inloggen/tweestaps', expect: all(303) },
  // eHerkenning (against the test broker): the start goes to the broker; a callback without a
  // login started in this browser is refused; the forms need a checked login first (→ /inloggen).
  { method: 'GET', route: '/inloggen/eherkenning', url: () => '/inloggen/eherkenning', expect: all(303) },
  {
    method: 'GET',
    route: '/inloggen/eherkenning/terug',
    url: () => '/inloggen/eherkenning/terug?code=x&state=y',
    expect: all(400),
  },
  ...(['/inloggen/eherkenning/organisatie', '/inloggen/eherkenning/aansluiten'] as const).flatMap((route) =>
    (['GET', 'POST'] as const).map((method): Rule => ({ method, route, url: () => route, expect: all(303) })),
  ),
  { method: 'POST', route: '/uitloggen', url: () => '/uitloggen', expect: all(303) },
  { method: 'GET', route: '/wachtwoord-vergeten', url: () => '/wachtwoord-vergeten', expect: all(200) },
  { method: 'POST', route: '/wachtwoord-vergeten', url: () => '/wachtwoord-vergeten', expect: all(400) },
  {
    method: 'GET',
    route: '/wachtwoord-herstellen/:token',
    url: () => '/wachtwoord-herstellen/onbekend',
    expect: all(200),
  },
  {
    method: 'POST',
    route: '/wachtwoord-herstellen/:token',
    url: () => '/wachtwoord-herstellen/onbekend',
    expect: all(400),
  },
  // An unknown link: the clear page, as a 404 (a used or expired one is a 410).
  { method: 'GET', route: '/uitnodiging/:token', url: () => '/uitnodiging/onbekend', expect: all(404) },
  { method: 'POST', route: '/uitnodiging/:token', url: () => '/uitnodiging/onbekend', expect: all(400) },
  // Issue 17 §2: "check your mail", and the confirmation link (an unknown one: 404 on GET, 410 on POST).
  { method: 'GET', route: '/e-mailadres-bevestigen', url: () => '/e-mailadres-bevestigen', expect: all(200) },
  {
    method: 'GET',
    route: '/e-mailadres-bevestigen/:token',
    url: () => '/e-mailadres-bevestigen/onbekend',
    expect: all(404),
  },
  {
    method: 'POST',
    route: '/e-mailadres-bevestigen/:token',
    url: () => '/e-mailadres-bevestigen/onbekend',
    expect: all(410),
  },
  { method: 'GET', route: '/account', url: () => '/account', expect: signedInOnly(200) },
  {
    method: 'GET',
    route: '/account/tweestapsverificatie',
    url: () => '/account/tweestapsverificatie',
    expect: signedInOnly(200),
  },
  {
    method: 'POST',
    route: '/account/tweestapsverificatie',
    url: () => '/account/tweestapsverificatie',
    // Providers and buyers are setting one up (the GET above started it) and sent no code; staff and
    // signal suppliers have one already.
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 400,
      reviewer: 303,
      auditor: 303,
      admin: 303,
      buyerA: 400,
      buyerB: 400,
      signalA: 303,
      signalB: 303,
    },
  },
  {
    method: 'GET',
    route: '/account/wachtwoord',
    url: () => '/account/wachtwoord',
    expect: signedInOnly(200),
  },
  // Without the current password: a clear message, for everyone signed in.
  {
    method: 'POST',
    route: '/account/wachtwoord',
    url: () => '/account/wachtwoord',
    expect: signedInOnly(400),
  },
  {
    method: 'POST',
    route: '/account/collegas',
    url: () => '/account/collegas',
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 400,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/account/uitnodigingen/:id/intrekken',
    // An invitation nobody has: not found for providers (ids reveal nothing); staff have no organisation.
    url: () => '/account/uitnodigingen/00000000-0000-4000-8000-000000000000/intrekken',
    expect: {
      anonymous: 303,
      providerA: 404,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  // A buyer's own choice of mail about watch lists (issue 18): buyers only. A buyer (of either
  // organisation) who sends no choice gets 400 with a message; everyone else 403.
  {
    method: 'POST',
    route: '/account/meldingen',
    url: () => '/account/meldingen',
    // A buyer's own choice; the matrix sends none (400).
    expect: buyersOnly(400),
  },
  {
    method: 'POST',
    route: '/aanvragen',
    url: () => '/aanvragen',
    // A already has an open application; B may start one.
    expect: {
      anonymous: 303,
      providerA: 409,
      providerB: 303,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'GET',
    route: '/aanvragen/:id',
    url: (i) => `/aanvragen/${i.applicationA}`,
    expect: {
      anonymous: 303,
      providerA: 200,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id',
    url: (i) => `/aanvragen/${i.applicationA}`,
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id/bewijsstukken',
    url: (i) => `/aanvragen/${i.applicationA}/bewijsstukken`,
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'GET',
    route: '/aanvragen/:id/bewijsstukken/:evidenceId',
    url: (i) => `/aanvragen/${i.applicationA}/bewijsstukken/${i.evidenceA}`,
    expect: {
      anonymous: 303,
      providerA: 200,
      providerB: 404,
      reviewer: 200,
      auditor: 200,
      admin: 200,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id/bewijsstukken/:evidenceId/verwijderen',
    // Evidence nobody has (the access test keeps A's evidence): not found for A and B alike.
    url: (i) => `/aanvragen/${i.applicationA}/bewijsstukken/00000000-0000-0000-0000-000000000000/verwijderen`,
    expect: {
      anonymous: 303,
      providerA: 404,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id/berichten',
    // An empty message is refused with a message before anything else.
    url: (i) => `/aanvragen/${i.applicationA}/berichten`,
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'GET',
    route: '/aanvragen/:id/controleren',
    url: (i) => `/aanvragen/${i.applicationA}/controleren`,
    expect: {
      anonymous: 303,
      providerA: 200,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'GET',
    route: '/aanvragen/:id/ingediend',
    url: (i) => `/aanvragen/${i.applicationA}/ingediend`,
    expect: {
      anonymous: 303,
      providerA: 200,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'GET',
    route: '/aanvragen/:id/intrekken',
    url: (i) => `/aanvragen/${i.applicationA}/intrekken`,
    expect: {
      anonymous: 303,
      providerA: 200,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id/indienen',
    url: (i) => `/aanvragen/${i.applicationA}/indienen`,
    expect: {
      anonymous: 303,
      providerA: 400,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/aanvragen/:id/intrekken',
    url: () => `/aanvragen/00000000-0000-0000-0000-000000000000/intrekken`,
    expect: {
      anonymous: 303,
      providerA: 404,
      providerB: 404,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  { method: 'GET', route: '/beoordeling', url: () => '/beoordeling', expect: staffOnly(200) },
  // Issue 19: the reviewers' overview of signal matches per provider (counts, no content).
  {
    method: 'GET',
    route: '/beoordeling/signalen',
    url: () => '/beoordeling/signalen',
    expect: staffOnly(200),
  },
  {
    method: 'GET',
    route: '/beoordeling/aanvragen/:id',
    url: (i) => `/beoordeling/aanvragen/${i.applicationA}`,
    expect: staffOnly(200),
  },
  {
    method: 'POST',
    route: '/beoordeling/aanvragen/:id/besluit',
    url: (i) => `/beoordeling/aanvragen/${i.applicationA}/besluit`,
    expect: reviewerOnly(400),
  },
  {
    method: 'GET',
    route: '/beoordeling/hostingproviders/:kvkNumber',
    url: (i) => `/beoordeling/hostingproviders/${i.kvkA}`,
    expect: staffOnly(200),
  },
  {
    method: 'GET',
    route: '/beoordeling/hostingproviders',
    url: (i) => `/beoordeling/hostingproviders?q=${i.kvkA}`,
    expect: staffOnly(200),
  },
  {
    method: 'GET',
    route: '/beoordeling/hostingproviders/:kvkNumber/dossier',
    url: (i) => `/beoordeling/hostingproviders/${i.kvkA}/dossier`,
    expect: staffOnly(200),
  },
  {
    method: 'POST',
    route: '/beoordeling/hostingproviders/:kvkNumber/status',
    url: (i) => `/beoordeling/hostingproviders/${i.kvkA}/status`,
    expect: reviewerOnly(400),
  },
  {
    method: 'POST',
    route: '/beoordeling/hostingproviders/:kvkNumber/identiteit',
    url: (i) => `/beoordeling/hostingproviders/${i.kvkA}/identiteit`,
    // A is confirmed already: a conflict for reviewers; nobody else may confirm.
    expect: reviewerOnly(409),
  },
  {
    method: 'POST',
    route: '/beoordeling/claims/:id/besluit',
    url: () => '/beoordeling/claims/00000000-0000-4000-8000-000000000000/besluit',
    // No such claim: not found for reviewers; nobody else decides on claims.
    expect: reviewerOnly(404),
  },
  {
    method: 'GET',
    route: '/beoordeling/uittreksels/:id',
    url: () => '/beoordeling/uittreksels/00000000-0000-4000-8000-000000000000',
    expect: staffOnly(404),
  },
  {
    method: 'GET',
    route: '/beheer/uitgaande-mail',
    url: () => '/beheer/uitgaande-mail',
    expect: { ...staffOnly(403), admin: 200 },
  },
  ...['/beheer/auditlog', '/beheer/auditlog.csv', '/beheer/auditlog.jsonl', '/beheer/auditlog/controle'].map(
    (route): Rule => ({
      method: 'GET',
      route,
      url: () => route,
      expect: { ...staffOnly(200), reviewer: 403 },
    }),
  ),
  {
    method: 'GET',
    route: '/beheer/aan-deelnemers',
    url: () => '/beheer/aan-deelnemers',
    expect: { ...staffOnly(403), admin: 200 },
  },
  // No file: a clear message (400), for the administrator.
  {
    method: 'POST',
    route: '/beheer/aan-deelnemers',
    url: () => '/beheer/aan-deelnemers',
    expect: { ...staffOnly(403), admin: 400 },
  },
  {
    method: 'GET',
    route: '/beheer/medewerkers',
    url: () => '/beheer/medewerkers',
    expect: { ...staffOnly(403), admin: 200 },
  },
  // An empty invitation: a clear message (400), for the administrator.
  {
    method: 'POST',
    route: '/beheer/medewerkers',
    url: () => '/beheer/medewerkers',
    expect: { ...staffOnly(403), admin: 400 },
  },
  ...['/beheer/medewerkers/:id/rol', '/beheer/medewerkers/:id/status'].map((route): Rule => ({
    method: 'POST',
    route,
    // Provider A's own user is no member of staff: 404 for the administrator.
    url: (i) => route.replace(':id', i.userA),
    expect: { ...staffOnly(403), admin: route.endsWith('rol') ? 400 : 404 },
  })),
  // An invitation nobody has: not found, for the administrator.
  ...['/beheer/medewerkers/uitnodigingen/:id/intrekken', '/beheer/medewerkers/uitnodigingen/:id/opnieuw'].map(
    (route): Rule => ({
      method: 'POST',
      route,
      url: () => route.replace(':id', '00000000-0000-0000-0000-000000000000'),
      expect: { ...staffOnly(403), admin: 404 },
    }),
  ),
  {
    method: 'GET',
    route: '/beheer/gedragscode',
    url: () => '/beheer/gedragscode',
    expect: { ...staffOnly(403), admin: 200 },
  },
  // An empty form: a clear message (400), for the administrator.
  {
    method: 'POST',
    route: '/beheer/gedragscode',
    url: () => '/beheer/gedragscode',
    expect: { ...staffOnly(403), admin: 400 },
  },
  // A confirmation without its values: a clear message (400), for the administrator.
  {
    method: 'POST',
    route: '/beheer/gedragscode/bevestigen',
    url: () => '/beheer/gedragscode/bevestigen',
    expect: { ...staffOnly(403), admin: 400 },
  },
  // No such version: 404, for the administrator.
  {
    method: 'GET',
    route: '/beheer/gedragscode/:id',
    url: () => '/beheer/gedragscode/00000000-0000-4000-8000-000000000000',
    expect: { ...staffOnly(403), admin: 404 },
  },
  {
    method: 'POST',
    route: '/beheer/gedragscode/:id/intrekken',
    url: () => '/beheer/gedragscode/00000000-0000-4000-8000-000000000000/intrekken',
    expect: { ...staffOnly(403), admin: 404 },
  },
  {
    method: 'GET',
    route: '/beheer/instellingen',
    url: () => '/beheer/instellingen',
    expect: { ...staffOnly(403), admin: 200 },
  },
  {
    method: 'POST',
    route: '/beheer/instellingen',
    url: () => '/beheer/instellingen',
    expect: { ...staffOnly(403), admin: 400 },
  },
  {
    method: 'GET',
    route: '/beoordeling/taken/:id/afgehandeld',
    url: () => '/beoordeling/taken/00000000-0000-0000-0000-000000000000/afgehandeld',
    expect: reviewerOnly(404),
  },
  {
    method: 'POST',
    route: '/beoordeling/taken/:id/afgehandeld',
    url: () => '/beoordeling/taken/00000000-0000-0000-0000-000000000000/afgehandeld',
    expect: reviewerOnly(404),
  },
  // Buyers (issue 18): registration is open to everyone; the watch lists are buyers' only, and a
  // list of buyerA's organisation is not found (404) for buyerB.
  // Issue 19: declared resellers and the signals that match them; empty forms get a clear message (400).
  {
    method: 'GET',
    route: '/account/wederverkopers',
    url: () => '/account/wederverkopers',
    expect: providersOnly(200),
  },
  {
    method: 'POST',
    route: '/account/wederverkopers',
    url: () => '/account/wederverkopers',
    expect: providersOnly(400),
  },
  {
    method: 'GET',
    route: '/account/wederverkopers/:id/verwijderen',
    url: (i) => `/account/wederverkopers/${i.keptResellerA}/verwijderen`,
    expect: ownResellerOnly(200),
  },
  {
    method: 'POST',
    route: '/account/wederverkopers/:id/verwijderen',
    url: (i) => `/account/wederverkopers/${i.removableResellerA}/verwijderen`,
    expect: ownResellerOnly(303),
  },
  {
    method: 'POST',
    route: '/account/wederverkopers/importeren',
    url: () => '/account/wederverkopers/importeren',
    expect: providersOnly(400),
  },
  { method: 'GET', route: '/account/signalen', url: () => '/account/signalen', expect: providersOnly(200) },
  {
    method: 'GET',
    route: '/account/signalen/:id',
    url: (i) => `/account/signalen/${i.matchA}`,
    expect: ownResellerOnly(200),
  },
  {
    method: 'POST',
    route: '/account/signalen/:id/beoordeling',
    url: (i) => `/account/signalen/${i.matchA}/beoordeling`,
    expect: ownResellerOnly(400),
  },
  {
    method: 'POST',
    route: '/account/signalen/:id/antwoord',
    url: (i) => `/account/signalen/${i.matchA}/antwoord`,
    expect: ownResellerOnly(400),
  },
  { method: 'GET', route: '/inkopers/registreren', url: () => '/inkopers/registreren', expect: all(200) },
  // An empty form: a clear message (400), for everyone.
  { method: 'POST', route: '/inkopers/registreren', url: () => '/inkopers/registreren', expect: all(400) },
  { method: 'GET', route: '/inkoop', url: () => '/inkoop', expect: buyersOnly(200) },
  // A list without a name: a clear message (400), for buyers.
  { method: 'POST', route: '/inkoop/volglijsten', url: () => '/inkoop/volglijsten', expect: buyersOnly(400) },
  {
    method: 'GET',
    route: '/inkoop/volglijsten/:id',
    url: (i) => `/inkoop/volglijsten/${i.listA}`,
    expect: ownListOnly(200),
  },
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/naam',
    url: (i) => `/inkoop/volglijsten/${i.listA}/naam`,
    expect: ownListOnly(400),
  },
  {
    method: 'GET',
    route: '/inkoop/volglijsten/:id/verwijderen',
    url: (i) => `/inkoop/volglijsten/${i.listA}/verwijderen`,
    expect: ownListOnly(200),
  },
  // buyerA deletes the list kept for this rule (303); for buyerB it is not found.
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/verwijderen',
    url: (i) => `/inkoop/volglijsten/${i.deletableListA}/verwijderen`,
    expect: ownListOnly(303),
  },
  // An empty entry: a clear message (400).
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/leveranciers',
    url: (i) => `/inkoop/volglijsten/${i.listA}/leveranciers`,
    expect: ownListOnly(400),
  },
  {
    method: 'GET',
    route: '/inkoop/volglijsten/:id/leveranciers/:entryId',
    url: (i) => `/inkoop/volglijsten/${i.listA}/leveranciers/${i.entryA}`,
    expect: ownListOnly(200),
  },
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/leveranciers/:entryId',
    url: (i) => `/inkoop/volglijsten/${i.listA}/leveranciers/${i.entryA}`,
    expect: ownListOnly(400),
  },
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/leveranciers/:entryId/verwijderen',
    url: (i) => `/inkoop/volglijsten/${i.listA}/leveranciers/${i.removableEntryA}/verwijderen`,
    expect: ownListOnly(303),
  },
  // No file: a clear message (400).
  {
    method: 'POST',
    route: '/inkoop/volglijsten/:id/importeren',
    url: (i) => `/inkoop/volglijsten/${i.listA}/importeren`,
    expect: ownListOnly(400),
  },
  {
    method: 'GET',
    route: '/inkoop/volglijsten/:id/download.:format',
    url: (i) => `/inkoop/volglijsten/${i.listA}/download.csv`,
    expect: ownListOnly(200),
  },
  // No KvK numbers: a clear message (400), for buyers.
  { method: 'POST', route: '/inkoop/volgen', url: () => '/inkoop/volgen', expect: buyersOnly(400) },
  {
    method: 'GET',
    route: '/beheer/inkopers',
    url: () => '/beheer/inkopers',
    expect: { ...staffOnly(403), admin: 200 },
  },
  // No name: a clear message (400), for the administrator.
  {
    method: 'POST',
    route: '/beheer/inkopers/organisaties/:id/naam',
    url: (i) => `/beheer/inkopers/organisaties/${i.buyerOrganisationA}/naam`,
    expect: { ...staffOnly(403), admin: 400 },
  },
  // The walk sends no action: 400 for the administrator (only enable or disable is taken), before
  // the account is looked up (provider A's own user, no buyer: 404 with an action, buyers.test.ts).
  {
    method: 'POST',
    route: '/beheer/inkopers/:id/status',
    url: (i) => `/beheer/inkopers/${i.userA}/status`,
    expect: { ...staffOnly(403), admin: 400 },
  },
  // Signal suppliers (issue 19): their signals, by form; signalB's organisation never finds signalA's.
  { method: 'GET', route: '/signalen', url: () => '/signalen', expect: signalSuppliersOnly(200) },
  { method: 'GET', route: '/signalen/nieuw', url: () => '/signalen/nieuw', expect: signalSuppliersOnly(200) },
  // An empty form: every problem named (400), nothing stored.
  {
    method: 'POST',
    route: '/signalen/nieuw',
    url: () => '/signalen/nieuw',
    expect: signalSuppliersOnly(400),
  },
  {
    method: 'GET',
    route: '/signalen/importeren',
    url: () => '/signalen/importeren',
    expect: signalSuppliersOnly(200),
  },
  // No file: a clear message (400).
  {
    method: 'POST',
    route: '/signalen/importeren',
    url: () => '/signalen/importeren',
    expect: signalSuppliersOnly(400),
  },
  { method: 'GET', route: '/signalen/:id', url: (i) => `/signalen/${i.signalA}`, expect: ownSignalOnly(200) },
  {
    method: 'GET',
    route: '/signalen/:id/intrekken',
    url: (i) => `/signalen/${i.signalA}/intrekken`,
    expect: ownSignalOnly(200),
  },
  {
    method: 'POST',
    route: '/signalen/:id/intrekken',
    url: (i) => `/signalen/${i.withdrawableSignalA}/intrekken`,
    expect: ownSignalOnly(303),
  },
  // Administrators: the signal supplier organisations and their people.
  {
    method: 'GET',
    route: '/beheer/signaalleveranciers',
    url: () => '/beheer/signaalleveranciers',
    expect: adminOnly(200),
  },
  // No name: a clear message (400).
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers',
    url: () => '/beheer/signaalleveranciers',
    expect: adminOnly(400),
  },
  {
    method: 'GET',
    route: '/beheer/signaalleveranciers/:id',
    url: (i) => `/beheer/signaalleveranciers/${i.signalSupplierA}`,
    expect: adminOnly(200),
  },
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers/:id',
    url: (i) => `/beheer/signaalleveranciers/${i.signalSupplierA}`,
    expect: adminOnly(400),
  },
  // No address: a clear message (400).
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers/:id/uitnodigen',
    url: (i) => `/beheer/signaalleveranciers/${i.signalSupplierA}/uitnodigen`,
    expect: adminOnly(400),
  },
  // No action: 400 (only enable or disable is taken), before the person is looked up.
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers/personen/:id/status',
    url: (i) => `/beheer/signaalleveranciers/personen/${i.signalPersonA}/status`,
    expect: adminOnly(400),
  },
  // F22: an administrator suspends or reinstates the organisation (no action: 400, before it is
  // looked up) and revokes its API keys (the confirmation page, then the revocation).
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers/:id/status',
    url: (i) => `/beheer/signaalleveranciers/${i.signalSupplierA}/status`,
    expect: adminOnly(400),
  },
  {
    method: 'GET',
    route: '/beheer/signaalleveranciers/:id/api-sleutels/:keyId/intrekken',
    url: (i) => `/beheer/signaalleveranciers/${i.signalSupplierA}/api-sleutels/${i.signalApiKeyA}/intrekken`,
    expect: adminOnly(200),
  },
  {
    method: 'POST',
    route: '/beheer/signaalleveranciers/:id/api-sleutels/:keyId/intrekken',
    url: (i) =>
      `/beheer/signaalleveranciers/${i.signalSupplierA}/api-sleutels/${i.adminRevocableKeyA}/intrekken`,
    expect: adminOnly(303),
  },
  // The JSON API: open to everyone, sessions play no part (no login, no CSRF).
  // Its entry point is /api/v1 itself (Express lists the version router's own root as /api/v1/).
  { method: 'GET', route: '/api/v1/', url: () => '/api/v1', expect: all(200) },
  { method: 'ALL', verb: 'DELETE', route: '/api/v1/', url: () => '/api/v1', expect: all(405) },
  { method: 'GET', route: '/api/v1/openapi.json', url: () => '/api/v1/openapi.json', expect: all(200) },
  {
    method: 'GET',
    route: '/api/v1/hostingproviders',
    url: () => '/api/v1/hostingproviders',
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/api/v1/hostingproviders/:kvkNummer',
    url: (i) => `/api/v1/hostingproviders/${i.kvkA}`,
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/api/v1/hostingproviders/:kvkNummer/statuswijzigingen',
    url: (i) => `/api/v1/hostingproviders/${i.kvkA}/statuswijzigingen`,
    expect: all(200),
  },
  {
    method: 'GET',
    route: '/api/v1/statuswijzigingen',
    url: () => '/api/v1/statuswijzigingen',
    expect: all(200),
  },
  // A form post is not JSON: 415 for everyone, and no CSRF token is asked for.
  { method: 'POST', route: '/api/v1/controles', url: () => '/api/v1/controles', expect: all(415) },
  {
    method: 'OPTIONS',
    route:
      '/api/v1/,/openapi.json,/hostingproviders,/hostingproviders/*rest,/verklaringen/*rest,/statuswijzigingen',
    url: () => '/api/v1/hostingproviders',
    expect: all(204),
  },
  {
    method: 'GET',
    route: '/api/v1/verklaringen/:nummer',
    url: () => '/api/v1/verklaringen/VHP-2026-999999',
    expect: all(404),
  },
  // Attestations: A is not verantwoord, so issuing is refused (409) to those who may issue at all.
  {
    method: 'POST',
    route: '/account/verklaringen',
    url: () => '/account/verklaringen',
    expect: {
      anonymous: 303,
      providerA: 409,
      providerB: 409,
      reviewer: 403,
      auditor: 403,
      admin: 403,
      buyerA: 403,
      buyerB: 403,
      signalA: 403,
      signalB: 403,
    },
  },
  {
    method: 'POST',
    route: '/beoordeling/hostingproviders/:kvkNumber/verklaringen',
    url: (i) => `/beoordeling/hostingproviders/${i.kvkA}/verklaringen`,
    expect: reviewerOnly(409),
  },
  { method: 'GET', route: '/verificatie', url: () => '/verificatie', expect: all(200) },
  // No file: a clear message (400), for everyone.
  { method: 'POST', route: '/verificatie', url: () => '/verificatie', expect: all(400) },
  {
    method: 'GET',
    route: '/verificatie/:nummer',
    url: () => '/verificatie/VHP-2026-999999',
    expect: all(404),
  },
  {
    method: 'GET',
    route: '/verificatie/:nummer/pdf',
    url: () => '/verificatie/VHP-2026-999999/pdf',
    expect: all(404),
  },
  // The proof of an attestation the register never issued: 404 for everyone.
  {
    method: 'GET',
    route: '/verificatie/:nummer/bewijs',
    url: () => '/verificatie/VHP-2026-999999/bewijs',
    expect: all(404),
  },
  // Issue 18: a buyer organisation's API keys and webhooks. A buyer of the owning organisation
  // gets the page (200; a post without a name or URL 400; an id of its own 200/303); a buyer of
  // another organisation 404 for an id of the first (a new form of its own: 200/400).
  ...['/inkoop/api-sleutels', '/inkoop/webhooks'].flatMap((route): Rule[] => [
    { method: 'GET', route, url: () => route, expect: buyersOnly(200) },
    { method: 'POST', route, url: () => route, expect: buyersOnly(400) },
  ]),
  // Another organisation's key: its revocation page sends a buyer back to their own keys.
  {
    method: 'GET',
    route: '/inkoop/api-sleutels/:id/intrekken',
    url: (i) => `/inkoop/api-sleutels/${i.apiKeyA}/intrekken`,
    expect: { ...ownListOnly(200), buyerB: 303 },
  },
  {
    method: 'GET',
    route: '/inkoop/webhooks/:id',
    url: (i) => `/inkoop/webhooks/${i.webhookA}`,
    expect: ownListOnly(200),
  },
  {
    method: 'POST',
    route: '/inkoop/webhooks/:id/test',
    url: (i) => `/inkoop/webhooks/${i.webhookA}/test`,
    expect: ownListOnly(200),
  },
  {
    method: 'POST',
    route: '/inkoop/webhooks/:id/aanzetten',
    url: (i) => `/inkoop/webhooks/${i.webhookA}/aanzetten`,
    expect: ownListOnly(303),
  },
  {
    method: 'POST',
    route: '/inkoop/webhooks/:id/verwijderen',
    url: (i) => `/inkoop/webhooks/${i.deletableWebhookA}/verwijderen`,
    expect: ownListOnly(303),
  },
  {
    method: 'POST',
    route: '/inkoop/api-sleutels/:id/intrekken',
    url: (i) => `/inkoop/api-sleutels/${i.apiKeyA}/intrekken`,
    expect: ownListOnly(303),
  },
  // Issue 19: a signal supplier's API keys, as a buyer organisation's; another supplier's key 404
  // (its revocation page sends back to the own keys: 303).
  {
    method: 'GET',
    route: '/signalen/api-sleutels',
    url: () => '/signalen/api-sleutels',
    expect: signalSuppliersOnly(200),
  },
  {
    method: 'POST',
    route: '/signalen/api-sleutels',
    url: () => '/signalen/api-sleutels',
    expect: signalSuppliersOnly(400),
  },
  {
    method: 'GET',
    route: '/signalen/api-sleutels/:id/intrekken',
    url: (i) => `/signalen/api-sleutels/${i.signalApiKeyA}/intrekken`,
    expect: { ...signalSuppliersOnly(200), signalB: 303 },
  },
  {
    method: 'POST',
    route: '/signalen/api-sleutels/:id/intrekken',
    url: (i) => `/signalen/api-sleutels/${i.signalApiKeyA}/intrekken`,
    expect: ownSignalOnly(303),
  },
  // The signals API asks an API key of a signal supplier: 401 without one, for everyone (a session is no key).
  ...[
    ['GET', '/api/v1/signalen/'],
    ['POST', '/api/v1/signalen/'],
    ['GET', '/api/v1/signalen/:id'],
    ['DELETE', '/api/v1/signalen/:id'],
  ].map(([method, route]): Rule => ({
    method: method as 'GET' | 'POST' | 'DELETE',
    route: route!,
    url: () => route!.replace(':id', '00000000-0000-0000-0000-000000000000').replace(/\/$/, ''),
    expect: all(401),
  })),
  ...['', '/:id'].map((tail): Rule => ({
    method: 'ALL',
    verb: 'DELETE',
    route: `/api/v1/signalen${tail}`,
    url: () => `/api/v1/signalen${tail.replace(':id', '00000000-0000-0000-0000-000000000000')}`,
    expect: all(401),
  })),
  // The subscriptions API asks an API key of a buyer organisation: 401 without one, for everyone
  // (a session is no key). With its organisation's key 200/201/204; another organisation's id 404.
  ...[
    ['GET', '/api/v1/webhook-abonnementen/'],
    ['POST', '/api/v1/webhook-abonnementen/'],
    ['GET', '/api/v1/webhook-abonnementen/:id'],
    ['GET', '/api/v1/webhook-abonnementen/:id/afleveringen'],
  ].map(([method, route]): Rule => ({
    method: method as 'GET' | 'POST',
    route: route!,
    url: () => route!.replace(':id', '00000000-0000-0000-0000-000000000000').replace(/\/$/, ''),
    expect: all(401),
  })),
  ...(['PATCH', 'DELETE'] as const).map((method): Rule => ({
    method,
    route: '/api/v1/webhook-abonnementen/:id',
    url: () => '/api/v1/webhook-abonnementen/00000000-0000-0000-0000-000000000000',
    expect: all(401),
  })),
  // Another method on the subscriptions: the key is asked first (401), then 405 with a key.
  ...['', '/:id', '/:id/afleveringen'].map((tail): Rule => ({
    method: 'ALL',
    verb: 'DELETE',
    route: `/api/v1/webhook-abonnementen${tail}`,
    url: () => `/api/v1/webhook-abonnementen${tail.replace(':id', '00000000-0000-0000-0000-000000000000')}`,
    expect: all(401),
  })),
  ...[
    '/openapi.json',
    '/hostingproviders',
    '/hostingproviders/:kvkNummer',
    '/hostingproviders/:kvkNummer/statuswijzigingen',
    '/verklaringen/:nummer',
    '/statuswijzigingen',
    '/controles',
  ].map((route): Rule => ({
    method: 'ALL',
    verb: 'DELETE',
    route: `/api/v1${route}`,
    url: (i) => `/api/v1${route.replace(':kvkNummer', i.kvkA).replace(':nummer', 'VHP-2026-999999')}`,
    expect: all(405),
  })),
];

describe('access rules: every route, for every kind of visitor', () => {
  let db: TestDatabase;
  let app: Express;
  let ids: Ids;
  let broker: TestBroker;
  const agents = {} as Record<Who, Agent>;
  const identities = new Map<Who, TestUser>();

  before(async function () {
    this.timeout(60_000);
    db = await createTestDatabase();
    broker = await startTestBroker([]);
    app = testApp(db.dataSource, { config: broker.config }).app;
    const [a, b] = [await givenProvider(db.dataSource), await givenProvider(db.dataSource)];
    identities.set('providerA', await givenUser(db.dataSource, 'provider', { providerId: a.id }));
    identities.set('providerB', await givenUser(db.dataSource, 'provider', { providerId: b.id }));
    for (const role of ['reviewer', 'auditor', 'admin'] as const)
      identities.set(role, await givenUser(db.dataSource, role));
    identities.set('buyerA', await givenUser(db.dataSource, 'buyer'));
    identities.set('buyerB', await givenUser(db.dataSource, 'buyer'));
    identities.set('signalA', await givenUser(db.dataSource, 'signal_supplier'));
    identities.set('signalB', await givenUser(db.dataSource, 'signal_supplier'));
    const buyerA = identities.get('buyerA')!.user;
    const organisationA = { id: buyerA.buyerOrganisationId!, domain: buyerA.email.split('@')[1]! };
    const listA = await createWatchList(
      db.dataSource,
      buyerA,
      'Lijst A',
      watchLimitsOf(testConfig),
      new Date(),
    );
    const deletableListA = await createWatchList(
      db.dataSource,
      buyerA,
      'Weg te gooien',
      watchLimitsOf(testConfig),
      new Date(),
    );
    const entry = { reference: '', contractStart: '', contractEnd: '' };
    await addWatchEntry(
      db.dataSource,
      buyerA,
      listA,
      { ...entry, kvkNumber: a.kvkNumber },
      watchLimitsOf(testConfig),
      new Date(),
    );
    await addWatchEntry(
      db.dataSource,
      buyerA,
      listA,
      { ...entry, kvkNumber: b.kvkNumber },
      watchLimitsOf(testConfig),
      new Date(),
    );
    const entryIds = await db.dataSource.query<{ id: string; kvk: string }[]>(
      `SELECT id, kvk_number AS kvk FROM watch_list_entries WHERE watch_list_id = $1`,
      [listA],
    );
    const providerA = identities.get('providerA')!;
    const application = await startApplication(db.dataSource, providerA.user, testConfig, new Date());
    const evidence = await addEvidence(
      db.dataSource,
      providerA.user,
      application.id,
      {
        kind: 'code_of_conduct',
        filename: 'code.pdf',
        content: simplePdf('A'),
      },
      testConfig,
      new Date(),
    );
    const declaring = { id: providerA.user.id, role: 'provider' as const, providerId: a.id };
    const blank = {
      reference: '',
      names: [],
      kvkNumber: null,
      domains: [],
      mailDomains: [],
      ipRanges: [],
      asNumbers: [],
    };
    const [removableResellerA, keptResellerA] = await db.dataSource
      .transaction((m) =>
        declareResellers(
          m,
          testSignalKeys,
          declaring,
          [
            { ...blank, domains: ['toegang-weg.nl'] },
            { ...blank, domains: ['toegang-signaal.nl'] },
          ],
          { source: 'form', field: 'resellerNames' },
          resellerLimitsOf(testConfig),
          { answerDays: 30, baseUrl: testConfig.publicBaseUrl },
          new Date(),
        ),
      )
      .then((outcome) => outcome.ids);
    const supplier = await givenSignalSupplier(db.dataSource);
    const signal = await givenSignal(db.dataSource, supplier.id, { domains: ['toegang-signaal.nl'] });
    await db.dataSource.transaction((m) =>
      matchSignals(
        m,
        testSignalKeys,
        [signal.id],
        { answerDays: 30, baseUrl: testConfig.publicBaseUrl },
        new Date(),
      ),
    );
    const [matchA] = await db.dataSource.query<{ id: string }[]>(
      `SELECT id FROM signal_matches WHERE signal_id = $1`,
      [signal.id],
    );
    await signCheckpointIfDue(db.dataSource, testSigner(db.dataSource), new Date(), { intervalSeconds: 30 });
    const signalPersonA = identities.get('signalA')!.user;
    const signalSupplierA = signalPersonA.signalSupplierId!;
    ids = {
      removableResellerA: removableResellerA!,
      keptResellerA: keptResellerA!,
      matchA: matchA!.id,
      signalSupplierA,
      signalPersonA: signalPersonA.id,
      signalA: (await givenSignal(db.dataSource, signalSupplierA, { domains: ['boef.example'] })).id,
      withdrawableSignalA: (await givenSignal(db.dataSource, signalSupplierA, { domains: ['weg.example'] }))
        .id,
      signalApiKeyA: (
        await createApiKey(
          db.dataSource,
          {
            organisationId: signalSupplierA,
            userId: signalPersonA.id,
            actor: `signal_supplier:${signalPersonA.id}`,
            owner: 'signal_supplier',
          },
          'Politiesysteem',
          new Date(),
        )
      ).apiKey.id,
      adminRevocableKeyA: (
        await createApiKey(
          db.dataSource,
          {
            organisationId: signalSupplierA,
            userId: signalPersonA.id,
            actor: `signal_supplier:${signalPersonA.id}`,
            owner: 'signal_supplier',
          },
          'Oud politiesysteem',
          new Date(),
        )
      ).apiKey.id,
      userA: providerA.user.id,
      applicationA: application.id,
      evidenceA: evidence.id,
      kvkA: a.kvkNumber,
      buyerOrganisationA: buyerA.buyerOrganisationId!,
      listA,
      entryA: entryIds.find((e) => e.kvk === a.kvkNumber)!.id,
      deletableListA,
      removableEntryA: entryIds.find((e) => e.kvk === b.kvkNumber)!.id,
      webhookA: (await givenSubscription(db.dataSource, organisationA, 'http://127.0.0.1:9/ontvanger')).id,
      deletableWebhookA: (await givenSubscription(db.dataSource, organisationA, 'http://127.0.0.1:9/weg')).id,
      apiKeyA: (
        await createApiKey(
          db.dataSource,
          { organisationId: organisationA.id, userId: buyerA.id, actor: `buyer:${buyerA.id}` },
          'Inkoopsysteem',
          new Date(),
        )
      ).apiKey.id,
    };
    agents.anonymous = request.agent(app);
    for (const who of WHO.filter((w) => w !== 'anonymous'))
      agents[who] = await signedIn(app, identities.get(who)!);
  });
  after(async () => {
    await broker?.close();
    await db.drop();
  });

  it('has a rule for every route the app serves, and a route for every rule', () => {
    const served = appRoutes(app).sort();
    const ruled = RULES.map((r) => `${r.method} ${r.route}`).sort();
    const without = (list: string[], other: string[]) => list.filter((r) => !other.includes(r));
    assert.deepEqual(
      { routesWithoutRule: without(served, ruled), rulesWithoutRoute: without(ruled, served) },
      { routesWithoutRule: [], rulesWithoutRoute: [] },
    );
    assert.deepEqual(served, ruled, 'each route once, each rule once');
  });

  for (const rule of RULES) {
    it(`${rule.method} ${rule.route}`, async function () {
      this.timeout(30_000);
      const answers = {} as Record<Who, number>;
      for (const who of WHO) {
        const agent = agents[who];
        if (rule.method === 'GET') {
          answers[who] = (await agent.get(rule.url(ids))).status;
        } else if (rule.method === 'OPTIONS') {
          answers[who] = (await agent.options(rule.url(ids))).status;
        } else if (rule.method === 'PATCH') {
          answers[who] = (await agent.patch(rule.url(ids)).send({ actief: true })).status;
        } else if (rule.verb === 'DELETE' || rule.method === 'DELETE') {
          answers[who] = (await agent.delete(rule.url(ids))).status;
        } else {
          // A fresh session token each time: logging out (one of the rules) ends the session.
          const page = await agent.get(who === 'anonymous' ? '/inloggen' : '/account');
          const token = /name="_csrf" value="([^"]+)"/.exec(page.text) ? csrfFrom(page.text) : '';
          answers[who] = (await agent.post(rule.url(ids)).type('form').send({ _csrf: token })).status;
        }
        if (rule.route === '/uitloggen' && who !== 'anonymous') {
          // Sign back in for the rules that follow.
          agents[who] = await reSignIn(who);
        }
      }
      assert.deepEqual(answers, rule.expect);
    });
  }

  async function reSignIn(who: Who): Promise<Agent> {
    const identity = identities.get(who);
    if (!identity) throw new Error(`no identity kept for ${who}`);
    return signedIn(app, identity);
  }
});
