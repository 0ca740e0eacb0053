import { must } from './must';

/** Every page URL of the register in one place. */
export const paths = {
  home: '/',
  register: '/hostingproviders',
  provider: (kvkNumber: string) => `/hostingproviders/${encodeURIComponent(kvkNumber)}`,
  check: '/controleren',
  bulkCheck: '/controleren/lijst',
  accessibility: '/toegankelijkheid',
  privacy: '/privacy',
  healthz: '/healthz',
  readyz: '/readyz',
  assets: '/assets',
  /** The register's own address as a CSS variable, for the links on a printed page. */
  originStylesheet: '/assets/css/origin.css',
  api: '/api/v1',
  apiDocs: '/api-documentatie',
  openData: '/open-data',
  /** The transparency log (C2SP tlog-tiles under this prefix). */
  log: '/transparantie',
  logCheckpoint: '/transparantie/checkpoint',
  logCheckpoints: '/transparantie/checkpoints',
  logKey: '/transparantie/sleutel',
  /** Where witnesses post their cosignatures of checkpoints (C2SP tlog-cosignature). */
  logCosignatures: '/transparantie/cosignaturen',
  logTiles: '/transparantie/tile',
  /** The latest checkpoint of each day, in open data. */
  openDataCheckpoints: '/open-data/checkpoints.json',

  signup: '/registreren',
  /** The real owner of a registered KvK number claims it (issue 17). */
  claim: '/registreren/claim',
  claimSent: '/registreren/claim/verstuurd',
  claimConfirm: (token = ':token') => `/registreren/claim/bevestigen/${token}`,
  login: '/inloggen',
  loginSecondFactor: '/inloggen/tweestaps',
  /** eHerkenning: the start (to the broker), its callback, and the two forms a first login may need. */
  eherkenning: '/inloggen/eherkenning',
  eherkenningCallback: '/inloggen/eherkenning/terug',
  eherkenningOrganisation: '/inloggen/eherkenning/organisatie',
  eherkenningJoin: '/inloggen/eherkenning/aansluiten',
  logout: '/uitloggen',
  forgotPassword: '/wachtwoord-vergeten',
  resetPassword: (token = ':token') => `/wachtwoord-herstellen/${token}`,
  invitation: (token = ':token') => `/uitnodiging/${token}`,
  /** "Check your mail": after a registration, or a login of an account whose address is not confirmed. */
  confirmEmailSent: '/e-mailadres-bevestigen',
  confirmEmail: (token = ':token') => `/e-mailadres-bevestigen/${token}`,
  /** A buyer (inkoper) of a government organisation registers (issue 18). */
  buyerSignup: '/inkopers/registreren',
  /** A buyer's start page: their organisation's watch lists. */
  buyerHome: '/inkoop',
  watchLists: '/inkoop/volglijsten',
  watchList: (id = ':id') => `/inkoop/volglijsten/${id}`,
  watchListRename: (id = ':id') => `/inkoop/volglijsten/${id}/naam`,
  watchListDelete: (id = ':id') => `/inkoop/volglijsten/${id}/verwijderen`,
  watchListEntries: (id = ':id') => `/inkoop/volglijsten/${id}/leveranciers`,
  watchListEntry: (id = ':id', entryId = ':entryId') => `/inkoop/volglijsten/${id}/leveranciers/${entryId}`,
  watchListEntryDelete: (id = ':id', entryId = ':entryId') =>
    `/inkoop/volglijsten/${id}/leveranciers/${entryId}/verwijderen`,
  watchListImport: (id = ':id') => `/inkoop/volglijsten/${id}/importeren`,
  watchListDownload: (id = ':id', format = ':format') => `/inkoop/volglijsten/${id}/download.${format}`,
  /** The suppliers of a bulk check's answer, to a new or existing watch list. */
  watchFromBulkCheck: '/inkoop/volgen',
  account: '/account',
  /** A buyer organisation's API keys and webhook subscriptions (issue 18). */
  buyerApiKeys: '/inkoop/api-sleutels',
  buyerApiKeyRevoke: (id = ':id') => `/inkoop/api-sleutels/${id}/intrekken`,
  buyerWebhooks: '/inkoop/webhooks',
  buyerWebhook: (id = ':id') => `/inkoop/webhooks/${id}`,
  buyerWebhookEnable: (id = ':id') => `/inkoop/webhooks/${id}/aanzetten`,
  buyerWebhookDelete: (id = ':id') => `/inkoop/webhooks/${id}/verwijderen`,
  buyerWebhookTest: (id = ':id') => `/inkoop/webhooks/${id}/test`,
  secondFactorSetup: '/account/tweestapsverificatie',
  changePassword: '/account/wachtwoord',
  colleagues: '/account/collegas',
  revokeInvitation: (id = ':id') => `/account/uitnodigingen/${id}/intrekken`,
  /** A buyer's choice how they hear of changes at watched suppliers (issue 18). */
  watchMail: '/account/meldingen',

  applications: '/aanvragen',
  application: (id = ':id') => `/aanvragen/${id}`,
  applicationSubmit: (id = ':id') => `/aanvragen/${id}/indienen`,
  applicationWithdraw: (id = ':id') => `/aanvragen/${id}/intrekken`,
  applicationCheck: (id = ':id') => `/aanvragen/${id}/controleren`,
  applicationSubmitted: (id = ':id') => `/aanvragen/${id}/ingediend`,
  applicationReply: (id = ':id') => `/aanvragen/${id}/berichten`,
  applicationEvidence: (id = ':id') => `/aanvragen/${id}/bewijsstukken`,
  evidence: (id = ':id', evidenceId = ':evidenceId') => `/aanvragen/${id}/bewijsstukken/${evidenceId}`,
  evidenceDelete: (id = ':id', evidenceId = ':evidenceId') =>
    `/aanvragen/${id}/bewijsstukken/${evidenceId}/verwijderen`,

  reviewQueue: '/beoordeling',
  reviewTaskResolve: (id = ':id') => `/beoordeling/taken/${id}/afgehandeld`,
  reviewApplication: (id = ':id') => `/beoordeling/aanvragen/${id}`,
  reviewDecision: (id = ':id') => `/beoordeling/aanvragen/${id}/besluit`,
  reviewProvider: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}`,
  reviewProviderAction: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}/status`,
  reviewProviderIdentity: (kvkNumber = ':kvkNumber') =>
    `/beoordeling/hostingproviders/${kvkNumber}/identiteit`,
  reviewSearch: '/beoordeling/hostingproviders',
  reviewClaimDecision: (id = ':id') => `/beoordeling/claims/${id}/besluit`,
  reviewExtract: (id = ':id') => `/beoordeling/uittreksels/${id}`,
  reviewProviderDossier: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}/dossier`,

  outbox: '/beheer/uitgaande-mail',
  auditLog: '/beheer/auditlog',
  auditLogCsv: '/beheer/auditlog.csv',
  auditLogJsonl: '/beheer/auditlog.jsonl',
  auditVerify: '/beheer/auditlog/controle',
  aanImport: '/beheer/aan-deelnemers',
  staff: '/beheer/medewerkers',
  codeVersions: '/beheer/gedragscode',
  codeVersionsConfirm: '/beheer/gedragscode/bevestigen',
  codeVersion: (id = ':id') => `/beheer/gedragscode/${id}`,
  codeVersionWithdraw: (id = ':id') => `/beheer/gedragscode/${id}/intrekken`,
  settings: '/beheer/instellingen',
  buyers: '/beheer/inkopers',
  buyerOrganisationName: (id = ':id') => `/beheer/inkopers/organisaties/${id}/naam`,
  buyerStatus: (id = ':id') => `/beheer/inkopers/${id}/status`,
  staffRole: (id = ':id') => `/beheer/medewerkers/${id}/rol`,
  staffStatus: (id = ':id') => `/beheer/medewerkers/${id}/status`,
  staffInvitationRevoke: (id = ':id') => `/beheer/medewerkers/uitnodigingen/${id}/intrekken`,
  staffInvitationResend: (id = ':id') => `/beheer/medewerkers/uitnodigingen/${id}/opnieuw`,

  /** Issue 19: a signal supplier's signals (the police), and what it may learn of them. */
  signals: '/signalen',
  signalNew: '/signalen/nieuw',
  signalImport: '/signalen/importeren',
  signal: (id = ':id') => `/signalen/${id}`,
  signalWithdraw: (id = ':id') => `/signalen/${id}/intrekken`,
  signalApiKeys: '/signalen/api-sleutels',
  signalApiKeyRevoke: (id = ':id') => `/signalen/api-sleutels/${id}/intrekken`,
  /** Administrators: the signal supplier organisations and their people. */
  signalSuppliers: '/beheer/signaalleveranciers',
  signalSupplier: (id = ':id') => `/beheer/signaalleveranciers/${id}`,
  signalSupplierInvite: (id = ':id') => `/beheer/signaalleveranciers/${id}/uitnodigen`,
  signalSupplierUserStatus: (id = ':id') => `/beheer/signaalleveranciers/personen/${id}/status`,
  /** F22: an administrator suspends or reinstates the whole organisation, and revokes its API keys. */
  signalSupplierStatus: (id = ':id') => `/beheer/signaalleveranciers/${id}/status`,
  signalSupplierApiKeyRevoke: (id = ':id', keyId = ':keyId') =>
    `/beheer/signaalleveranciers/${id}/api-sleutels/${keyId}/intrekken`,
  /** A provider's declared resellers and the signals that match them. */
  resellers: '/account/wederverkopers',
  resellerRemove: (id = ':id') => `/account/wederverkopers/${id}/verwijderen`,
  resellerImport: '/account/wederverkopers/importeren',
  signalMatches: '/account/signalen',
  signalMatch: (id = ':id') => `/account/signalen/${id}`,
  signalMatchDecision: (id = ':id') => `/account/signalen/${id}/beoordeling`,
  signalMatchAnswer: (id = ':id') => `/account/signalen/${id}/antwoord`,
  /** Reviewers: per provider, whether signal matches were answered in time. */
  reviewSignals: '/beoordeling/signalen',

  attestations: '/account/verklaringen',
  reviewAttestations: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}/verklaringen`,
  verification: '/verificatie',
  verificationOf: (number = ':nummer') => `/verificatie/${number}`,
  verificationPdf: (number = ':nummer') => `/verificatie/${number}/pdf`,
  /** The attestation's proof of inclusion in the transparency log (C2SP tlog-proof). */
  verificationProof: (number = ':nummer') => `/verificatie/${number}/bewijs`,
} as const;

/**
 * A path of this register to return to after login, or undefined: only a plain local path (`/…`),
 * never one a browser could read as another site (`//host`, `/\\host`) or that walks with `.`/`..`
 * segments or empty ones, and of a sane length.
 */
export function safeReturnPath(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 500) return undefined;
  const pathPart = must(raw.split(/[?#]/)[0], 'split gives at least one part');
  if (!/^\/[^\s\\]*$/.test(raw) || pathPart.includes('//')) return undefined;
  return pathPart.split('/').some((segment) => segment === '.' || segment === '..') ? undefined : raw;
}
