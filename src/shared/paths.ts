/** Every page URL of the register in one place. */
export const paths = {
  home: '/',
  register: '/hostingproviders',
  provider: (kvkNumber: string) => `/hostingproviders/${encodeURIComponent(kvkNumber)}`,
  accessibility: '/toegankelijkheid',
  privacy: '/privacy',
  healthz: '/healthz',
  readyz: '/readyz',
  assets: '/assets',
} as const;
