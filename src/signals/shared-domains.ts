/*
 * Issue 19 (outside tries, F7): domains that identify nobody. A mail domain of a public mail service
 * (gmail.com, ziggo.nl, …) is shared by millions of people, so a signal and a declaration that both
 * name it say nothing about one reseller: matched exactly, every provider with one customer using
 * that service would read the police's text. Likewise a shared hosting platform (github.io,
 * blogspot.com, …) is the parent of everyone's site there. Both are refused as identifiers, on both
 * sides, and left out of the matching for rows stored before (so old declarations stop matching).
 * The lists are short on purpose: the mail services most Dutch customers use, and the platforms that
 * hand out subdomains to anyone. No public-suffix package is installed; this is not meant to be one.
 */

/** Public mail services: a mail domain here names no one. Lower case, ASCII. */
export const SHARED_MAIL_DOMAINS: ReadonlySet<string> = new Set([
  // International services
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'outlook.nl',
  'hotmail.com',
  'hotmail.nl',
  'live.com',
  'live.nl',
  'msn.com',
  'yahoo.com',
  'ymail.com',
  'icloud.com',
  'me.com',
  'mac.com',
  'aol.com',
  'proton.me',
  'protonmail.com',
  'pm.me',
  'gmx.com',
  'gmx.net',
  'gmx.de',
  'gmx.at',
  'gmx.ch',
  'gmx.nl',
  'mail.com',
  'zoho.com',
  'tutanota.com',
  // Dutch access providers' mail, handed to every subscriber
  'kpnmail.nl',
  'kpnplanet.nl',
  'ziggo.nl',
  'upcmail.nl',
  'planet.nl',
  'xs4all.nl',
  'hetnet.nl',
  'home.nl',
  'chello.nl',
  'casema.nl',
  'quicknet.nl',
  'zeelandnet.nl',
  'telfort.nl',
  'online.nl',
  'tele2.nl',
  'caiway.nl',
  'solcon.nl',
  'freedom.nl',
]);

/** Platforms that give anyone a subdomain: the platform's own domain names no one's site. */
export const SHARED_HOSTING_DOMAINS: ReadonlySet<string> = new Set([
  'github.io',
  'gitlab.io',
  'blogspot.com',
  'wordpress.com',
  'wixsite.com',
  'weebly.com',
  'netlify.app',
  'vercel.app',
  'pages.dev',
  'workers.dev',
  'herokuapp.com',
  'azurewebsites.net',
  'cloudfront.net',
  'firebaseapp.com',
  'web.app',
  'appspot.com',
  '000webhostapp.com',
  'glitch.me',
  'ngrok.io',
  'duckdns.org',
  'no-ip.org',
]);

/** Whether a mail domain (in normal form) is a public mail service's or a shared platform's. */
export function isSharedMailDomain(domain: string): boolean {
  return SHARED_MAIL_DOMAINS.has(domain) || SHARED_HOSTING_DOMAINS.has(domain);
}

/** Whether a domain (in normal form) is a shared hosting platform's own. */
export function isSharedHostingDomain(domain: string): boolean {
  return SHARED_HOSTING_DOMAINS.has(domain);
}

/**
 * Whether a domain (in normal form) is a public mail service's or one of its subdomains
 * (`gmail.com`, `m.gmail.com`): the service's, never a reseller's site (the second outside try
 * declared them as a website's domain).
 */
export function isMailServiceDomain(domain: string): boolean {
  for (let dot = -1; ;) {
    if (SHARED_MAIL_DOMAINS.has(domain.slice(dot + 1))) return true;
    dot = domain.indexOf('.', dot + 1);
    if (dot < 0) return false;
  }
}

/**
 * The (kind, value) pairs matching leaves out, for rows stored before these were refused: every
 * shared mail domain and every platform, as a domain and as a mail domain.
 */
export function sharedIdentifiers(): { kind: 'domain' | 'mail_domain'; value: string }[] {
  return [
    ...[...SHARED_MAIL_DOMAINS, ...SHARED_HOSTING_DOMAINS].map((value) => ({
      kind: 'mail_domain' as const,
      value,
    })),
    ...[...SHARED_MAIL_DOMAINS, ...SHARED_HOSTING_DOMAINS].map((value) => ({
      kind: 'domain' as const,
      value,
    })),
  ];
}
