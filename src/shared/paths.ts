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

  signup: '/registreren',
  login: '/inloggen',
  loginSecondFactor: '/inloggen/tweestaps',
  logout: '/uitloggen',
  forgotPassword: '/wachtwoord-vergeten',
  resetPassword: (token = ':token') => `/wachtwoord-herstellen/${token}`,
  invitation: (token = ':token') => `/uitnodiging/${token}`,
  account: '/account',
  secondFactorSetup: '/account/tweestapsverificatie',
  colleagues: '/account/collegas',

  applications: '/aanvragen',
  application: (id = ':id') => `/aanvragen/${id}`,
  applicationSubmit: (id = ':id') => `/aanvragen/${id}/indienen`,
  applicationWithdraw: (id = ':id') => `/aanvragen/${id}/intrekken`,
  applicationEvidence: (id = ':id') => `/aanvragen/${id}/bewijsstukken`,
  evidence: (id = ':id', evidenceId = ':evidenceId') => `/aanvragen/${id}/bewijsstukken/${evidenceId}`,

  reviewQueue: '/beoordeling',
  reviewApplication: (id = ':id') => `/beoordeling/aanvragen/${id}`,
  reviewDecision: (id = ':id') => `/beoordeling/aanvragen/${id}/besluit`,
  reviewProvider: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}`,
  reviewProviderAction: (kvkNumber = ':kvkNumber') => `/beoordeling/hostingproviders/${kvkNumber}/status`,

  outbox: '/beheer/uitgaande-mail',
} as const;
