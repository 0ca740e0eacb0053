import { statSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { CosignatureError, parseWitnessKey } from '../monitor/lib/cosignature';
import { SettingError } from './shared/errors';
import { isMailAddress } from './shared/mail-address';
import { DEFAULT_BUYER_EMAIL_DOMAINS, isDomainPattern } from './shared/buyer-domains';

/** The only reader of process.env: every setting, typed and validated once. */
export interface Config {
  env: 'development' | 'test' | 'production';
  port: number;
  /**
   * The runtime role the app works as (not a superuser, owns nothing, no UPDATE or DELETE on the
   * append-only tables). Unset: run an embedded PostgreSQL with its data under `dataDir`.
   */
  databaseUrl: string | undefined;
  /**
   * The owner role that runs the migrations and grants the runtime role its rights. Defaults to
   * `databaseUrl` outside production only; required in production.
   */
  migrationDatabaseUrl: string | undefined;
  dataDir: string;
  databasePoolSize: number;
  publicBaseUrl: string;
  logLevel: string;
  /** Load the demo data when the database holds no providers yet. */
  seedDemoData: boolean;
  /** How long /readyz answers 503 before the server stops taking connections on SIGTERM. */
  shutdownDelayMs: number;
  /**
   * How long stopping may take after that delay (requests in flight, the pool, the embedded
   * database) before the process exits anyway, saying so.
   */
  shutdownTimeoutMs: number;
  /** Signs session cookies. */
  sessionSecret: string;
  /** Staff must set up a second factor before any staff page; may be relaxed for local demos only. */
  staffSecondFactorRequired: boolean;
  /** How long an approved listing lasts. */
  listingValidityMonths: number;
  /** How many days before the end of a listing a renewal may be requested. */
  renewalWindowDays: number;
  /** SMTP server for outgoing mail; unset: each mail is written as an .eml file into `mailDir`. */
  smtpUrl: string | undefined;
  /** Where mail goes without SMTP_URL: DATA_DIR/mail. */
  mailDir: string;
  mailFrom: string;
  /** Login attempts allowed per IP address in 15 minutes. */
  loginAttemptsPerIp: number;
  /** Consecutive failed logins on one account before each further attempt must wait a growing delay. */
  loginFailuresPerAccount: number;
  /** Failed logins allowed per account from one IP address in 15 minutes. */
  loginFailuresPerAccountAndIp: number;
  /** The longest delay (seconds) the growing per-account delay reaches. */
  loginDelayMaxSeconds: number;
  /** Password resets, registrations and invitation acceptances allowed per IP address in 15 minutes (each). */
  passwordFormsPerIp: number;
  /** Registrations (valid forms: each keeps a pending registration or sends a mail) allowed per IP address in 24 hours. */
  registrationsPerIpPerDay: number;
  /** Registrations (valid forms) naming one KvK number allowed in an hour, from any address: lenient, never a lock-out. */
  registrationsPerKvkPerHour: number;
  /** The e-mail domains a buyer (inkoper) may register with: `minvenj.nl`, or `*.overheid.nl` for any subdomain. */
  buyerEmailDomains: readonly string[];
  /** Password hashes computed at once; more wait in a queue of `passwordHashQueue`, beyond that 503. */
  passwordHashConcurrency: number;
  passwordHashQueue: number;
  /** Which proxies Express trusts for X-Forwarded-For: false (none), a hop count, or addresses/CIDRs. */
  trustProxy: boolean | number | string;
  /**
   * 32 bytes that encrypt TOTP seeds and key the recovery-code HMAC, kept outside the database.
   * Required in production; elsewhere unset means a key made once under `dataDir`.
   */
  secretsKey: Buffer | undefined;
  /** Hours after sign-in that a session ends, however active it is. */
  sessionAbsoluteHours: number;
  /**
   * The PKCS#12 file with the key and certificate that sign attestations, and its passphrase.
   * Required in production; elsewhere unset means a self-signed development certificate made once
   * under `dataDir`.
   */
  signingP12File: string | undefined;
  signingP12Passphrase: string | undefined;
  /**
   * The PKCS#8 PEM file with the Ed25519 key that signs the transparency log's checkpoints (not
   * the PDF key). Required in production; elsewhere unset means a key made once under `dataDir`.
   */
  logSigningKeyFile: string | undefined;
  /**
   * The file in which the checkpoint signer keeps what it last signed (outside the database, which
   * an insider controls): `DATA_DIR/log-signer-state.json` unless set.
   */
  logSignerStateFile: string;
  /** The transparency log's origin (and key name): `<host[:port]><path of PUBLIC_BASE_URL>/transparantie` unless set. */
  logOrigin: string;
  /**
   * The witnesses whose cosignatures of checkpoints the register collects and shows (C2SP
   * tlog-cosignature verifier keys `name+keyid+base64(0x04 || key)`); empty: no witnesses.
   */
  logWitnessKeys: string[];
  /**
   * The least time between two checkpoints of a growing log, and how often an instance looks
   * whether one is due (a checkpoint is signed at least once a day even when the log did not grow).
   */
  checkpointIntervalSeconds: number;
  /** How often an instance looks for due scheduled work (expiries, reminders, digest); 0: never. */
  jobsIntervalSeconds: number;
  /**
   * How often an instance recomputes due status snapshots in the background; 0: never (reads still
   * show the status of their rows at their instant). Counts and filters by status may be behind by
   * up to this.
   */
  snapshotRefreshSeconds: number;
  /**
   * How often an instance mails buyers who asked to hear at once of a watched supplier's change
   * (issue 18); 0: never (tests start the sender themselves).
   */
  watchMailSeconds: number;
  /**
   * How many days ahead a buyer is told that a watched supplier's listing ends before their
   * contract does (issue 18), once per listing end.
   */
  watchListingEndNoticeDays: number;
  /**
   * The most suppliers one watch list holds (issue 18): a bulk check's largest list, so a list's
   * page and downloads cost at most one bulk check.
   */
  watchListMaxEntries: number;
  /** The most watch lists one buyer organisation keeps. */
  watchListsPerOrganisation: number;
  /** How long the first page of a name search is kept per instance for the same query; 0: not kept. */
  searchCacheSeconds: number;
  /** Invitations one provider user may send per hour (each is a mail with their text to any address). */
  invitationsPerUserPerHour: number;
  /** Unused, unexpired invitations an organisation may have open at once. */
  pendingInvitationsPerProvider: number;
  /** Starting value of the setting: evidence files one application may hold. */
  evidenceMaxFiles: number;
  /** Starting value of the setting: total megabytes of evidence one application may hold. */
  evidenceMaxTotalMb: number;
  /** Starting value of the setting: the organisation that keeps the register and issues attestations. */
  organisationName: string;
  /** Starting value of the setting: where providers send questions and objections (bezwaar). */
  contactEmail: string;
  /** Starting value of the setting: reviewers hear of each submission at once, or in one daily mail. */
  reviewerNotification: ReviewerNotification;
  /** Requests one client (address, as TRUST_PROXY reads it) may send to the API in a minute. */
  apiRequestsPerMinute: number;
  /** Bulk checks (API and web form together) one client may have running at once, across instances. */
  bulkChecksPerClient: number;
  /**
   * The share (percent) of the database pool heavy work (bulk checks, full downloads) may hold at
   * once on an instance; the rest stays free for lookups and pages.
   */
  heavyPoolSharePercent: number;
  /** How long heavy work waits for its share of the pool before it is refused (503, Retry-After). */
  heavyWaitSeconds: number;
  /** The longest one statement of a page or API request may run (PostgreSQL's statement_timeout). */
  databaseStatementTimeoutSeconds: number;
  /** How long a request's transaction may sit idle between statements before PostgreSQL ends it. */
  databaseIdleInTransactionTimeoutSeconds: number;
  /** How long a request waits for a database connection (a free one of the pool, or a new one). */
  databasePoolWaitSeconds: number;
  /**
   * Both limits for long work that says so: migrations, the commands, full downloads, bulk checks,
   * bulk seeding and the scheduled jobs (src/database/limits.ts).
   */
  databaseLongWorkTimeoutSeconds: number;
  /**
   * eHerkenning through a broker's OpenID Connect; undefined: off (no issuer in production, or
   * EHERKENNING_DEMO=false elsewhere). `demo`: the built-in test provider of src/identity/demo-oidc-provider.ts,
   * mounted under DEMO_EHERKENNING_PATH (never in production).
   */
  eherkenning: EherkenningConfig | undefined;
  /**
   * Webhooks (issue 18): how often an instance looks for due deliveries besides the push of
   * LISTEN/NOTIFY (a retry, or a notice missed while the listening connection was away).
   */
  webhookPollSeconds: number;
  /** How long one delivery attempt may take, connection to the end of the (capped) answer. */
  webhookTimeoutMs: number;
  /**
   * Webhook targets on private, loopback or link-local addresses (and `http` targets) allowed: for
   * tests and local demos only, refused in production.
   */
  webhookAllowPrivateTargets: boolean;
  /**
   * Webhook subscriptions one buyer organisation may have: each one is a delivery per change,
   * made in the reviewer's transaction.
   */
  webhookMaxSubscriptions: number;
  /**
   * The register's OIN (Organisatie-identificatienummer, 20 digits): the CloudEvents `source` is then
   * `urn:nld:oin:<OIN>:systeem:hostingregister`; unset, it is PUBLIC_BASE_URL.
   */
  registerOin: string | undefined;
  /** Days a provider has to answer a signal's match (what it did) before it becomes a review task (issue 19). */
  signalAnswerDays: number;
  /** Days before that deadline on which a provider with an unanswered match is reminded, most distant first. */
  signalReminderDays: number[];
  /** Aggregates a signal supplier sees below this many providers read "fewer than N" (issue 19 §3). */
  signalAggregateThreshold: number;
  /** The most identifiers (names, KvK numbers, domains, …) one provider may declare in 24 hours: probing the signals costs time. */
  resellerDeclarationsPerDay: number;
  /** A provider that declares more than this in 24 hours is flagged to reviewers (a review task). */
  resellerFlagPerDay: number;
  /** The most resellers one provider keeps declared at once. */
  resellerMaxDeclared: number;
}

/** eHerkenning's assurance levels (betrouwbaarheidsniveaus), lowest first. */
export const ASSURANCE_LEVELS = ['EH1', 'EH2', 'EH2+', 'EH3', 'EH4'] as const;
export type AssuranceLevel = (typeof ASSURANCE_LEVELS)[number];

/** Where the built-in demo provider answers, under PUBLIC_BASE_URL. */
export const DEMO_EHERKENNING_PATH = '/demo-eherkenning';
/** The demo provider's client: published, as the demo passwords are; refused in production with it. */
export const DEMO_EHERKENNING_CLIENT = {
  id: 'register-demo',
  secret: 'demo-client-secret-not-for-production',
};

export interface EherkenningConfig {
  mode: 'broker' | 'demo';
  /** The broker's issuer (its discovery document is under `/.well-known/openid-configuration`). */
  issuer: string;
  clientId: string;
  /** client_secret_basic; exactly one of this and `privateKeyFile`. */
  clientSecret: string | undefined;
  /** private_key_jwt: a PKCS#8 PEM file with the client's private key. */
  privateKeyFile: string | undefined;
  /** Where the broker sends the browser back: PUBLIC_BASE_URL + /inloggen/eherkenning/terug unless set. */
  redirectUrl: string;
  /** The lowest level a login must have (the token's `acr`). */
  assuranceLevel: AssuranceLevel;
  /** The ID token claim that carries the KvK number. */
  kvkClaim: string;
}

/** The database limits' starting values, for the settings and for a DataSource made without them. */
export const DATABASE_LIMIT_DEFAULTS = {
  statementSeconds: 15,
  idleInTransactionSeconds: 60,
  poolWaitSeconds: 3,
  longWorkSeconds: 3600,
} as const;

/** How reviewers hear of new submissions: one mail each, or one daily digest. */
export const REVIEWER_NOTIFICATIONS = ['each', 'daily'] as const;
export type ReviewerNotification = (typeof REVIEWER_NOTIFICATIONS)[number];

/** Thrown at start when a setting is malformed or missing where it is required. */
export class ConfigError extends SettingError {}

/** The levels LOG_LEVEL may name (pino's). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function logLevel(env: NodeJS.ProcessEnv, fallback: string): string {
  const raw = env.LOG_LEVEL?.trim();
  if (!raw) return fallback;
  if (!(LOG_LEVELS as readonly string[]).includes(raw)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return raw;
}

const ENVIRONMENTS = ['development', 'test', 'production'] as const;

/** A comma-separated list of whole days (1–365), most distant first, without repeats: `7,1`. */
function dayList(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const days = raw.split(',').map((part) => part.trim());
  if (!days.every((d) => /^[0-9]{1,3}$/.test(d) && Number(d) >= 1 && Number(d) <= 365))
    throw new Error(`${name} must be whole days from 1 to 365, separated by commas (e.g. 7,1)`);
  return [...new Set(days.map(Number))].sort((a, b) => b - a);
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  // Digits only, as the commands' options: " 3917", "+5", "1e3" or "0x10" are refused, not read.
  const value = /^[0-9]+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(name: string, raw: string): string {
  try {
    const parsed = new URL(raw);
    return parsed.toString().replace(/\/$/, '');
  } catch {
    throw new ConfigError(`${name} must be an absolute URL, got "${raw}"`);
  }
}

function text(env: NodeJS.ProcessEnv, name: string, fallback: string, maxLength: number): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (raw.length > maxLength) throw new ConfigError(`${name} must be at most ${maxLength} characters`);
  return raw;
}

function email(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!isMailAddress(raw)) throw new ConfigError(`${name} must be an e-mail address, got "${raw}"`);
  return raw;
}

function reviewerNotification(env: NodeJS.ProcessEnv): ReviewerNotification {
  const raw = env.REVIEWER_NOTIFICATION?.trim();
  if (!raw) return 'each';
  if (!(REVIEWER_NOTIFICATIONS as readonly string[]).includes(raw)) {
    throw new ConfigError(
      `REVIEWER_NOTIFICATION must be one of ${REVIEWER_NOTIFICATIONS.join(', ')}, got "${raw}"`,
    );
  }
  return raw as ReviewerNotification;
}

/** BUYER_EMAIL_DOMAINS: a comma list of domains and `*.`-domains, lower case; unset: the default list. */
function buyerEmailDomains(env: NodeJS.ProcessEnv): readonly string[] {
  const raw = env.BUYER_EMAIL_DOMAINS?.trim();
  if (!raw) return DEFAULT_BUYER_EMAIL_DOMAINS;
  const patterns = raw.split(',').map((entry) => entry.trim().toLowerCase());
  const wrong = patterns.find((pattern) => !isDomainPattern(pattern));
  if (wrong !== undefined)
    throw new ConfigError(
      `BUYER_EMAIL_DOMAINS must be a comma list of domains (minvenj.nl) or *.domains (*.overheid.nl), got "${wrong}"`,
    );
  return patterns;
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxy(env: NodeJS.ProcessEnv): boolean | number | string {
  const raw = (env.TRUST_PROXY ?? '').trim();
  if (raw === '' || raw.toLowerCase() === 'false') return false;
  if (/^[0-9]+$/.test(raw)) return integer(env, 'TRUST_PROXY', 0, 0, 10);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address = '', bits, ...rest] = entry.split('/');
    const version = isIP(address);
    const bitsOk =
      bits === undefined || (/^[0-9]+$/.test(bits) && Number(bits) <= (version === 6 ? 128 : 32));
    if (PROXY_NAMES.includes(entry)) continue;
    if (!version || !bitsOk || rest.length > 0) {
      // `true` would trust any X-Forwarded-For a client sends: refused, as is anything unreadable.
      throw new ConfigError(
        `TRUST_PROXY must be false, a hop count, or a comma list of addresses, CIDRs, loopback, linklocal or uniquelocal; got "${raw}"`,
      );
    }
  }
  return entries.join(',');
}

/**
 * The log's origin line: a schema-less URL prefix (C2SP tlog-checkpoint), by default the register's
 * address without the scheme, followed by /transparantie.
 */
function logOrigin(env: NodeJS.ProcessEnv, publicBaseUrl: string): string {
  const raw = env.LOG_ORIGIN?.trim();
  if (!raw) {
    const base = new URL(publicBaseUrl);
    return `${base.host}${base.pathname.replace(/\/$/, '')}/transparantie`;
  }
  // A note's key name: no spaces or plus signs (signed-note), printable ASCII, and no scheme.
  if (!/^[!-*,-~]{1,200}$/.test(raw) || /^[a-z]+:\/\//i.test(raw)) {
    throw new ConfigError(
      `LOG_ORIGIN must be printable ASCII without spaces, plus signs or a scheme (e.g. register.example/transparantie), got "${raw}"`,
    );
  }
  return raw;
}

/**
 * LOG_WITNESS_KEYS: witness verifier keys separated by commas or newlines; each must be an Ed25519
 * cosignature key, and each witness named once (a cosignature is kept per witness and checkpoint).
 */
function logWitnessKeys(env: NodeJS.ProcessEnv): string[] {
  const keys = (env.LOG_WITNESS_KEYS ?? '')
    .split(/[,\n]/)
    .map((key) => key.trim())
    .filter((key) => key !== '');
  const names = new Set<string>();
  for (const key of keys) {
    let name: string;
    try {
      name = parseWitnessKey(key).name;
    } catch (error) {
      if (!(error instanceof CosignatureError)) throw error;
      throw new ConfigError(`LOG_WITNESS_KEYS: "${key}" is not a witness key: ${error.message}`);
    }
    if (names.has(name)) throw new ConfigError(`LOG_WITNESS_KEYS: the witness ${name} is named twice`);
    names.add(name);
  }
  return keys;
}

/** The eHerkenning settings (EHERKENNING_*): off, the demo provider, or a broker, each combination checked. */
function eherkenning(
  env: NodeJS.ProcessEnv,
  nodeEnv: Config['env'],
  publicBaseUrl: string,
): EherkenningConfig | undefined {
  const production = nodeEnv === 'production';
  const issuerRaw = env.EHERKENNING_ISSUER?.trim();
  const demo = boolean(env, 'EHERKENNING_DEMO', !production && !issuerRaw && nodeEnv === 'development');
  if (demo && production) {
    throw new ConfigError(
      'EHERKENNING_DEMO=true is refused when NODE_ENV=production: the demo provider lets anyone log in for any company',
    );
  }
  if (demo && issuerRaw)
    throw new ConfigError('EHERKENNING_DEMO=true and EHERKENNING_ISSUER exclude each other');
  const level = text(env, 'EHERKENNING_ASSURANCE_LEVEL', 'EH3', 10).toUpperCase();
  if (!(ASSURANCE_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigError(
      `EHERKENNING_ASSURANCE_LEVEL must be one of ${ASSURANCE_LEVELS.join(', ')}, got "${env.EHERKENNING_ASSURANCE_LEVEL}"`,
    );
  }
  const kvkClaim = text(env, 'EHERKENNING_KVK_CLAIM', 'urn:etoegang:core:LegalSubjectID', 200);
  const redirectUrl = url(
    'EHERKENNING_REDIRECT_URL',
    env.EHERKENNING_REDIRECT_URL?.trim() || `${publicBaseUrl}/inloggen/eherkenning/terug`,
  );
  const common = { redirectUrl, assuranceLevel: level as AssuranceLevel, kvkClaim };
  const brokerSettings = [
    'EHERKENNING_CLIENT_ID',
    'EHERKENNING_CLIENT_SECRET',
    'EHERKENNING_PRIVATE_KEY_FILE',
  ];
  if (!issuerRaw) {
    const stray = brokerSettings.filter((name) => env[name]?.trim());
    if (stray.length > 0) throw new ConfigError(`${stray.join(', ')} need EHERKENNING_ISSUER`);
    if (!demo) return undefined;
    return {
      mode: 'demo',
      issuer: `${publicBaseUrl}${DEMO_EHERKENNING_PATH}`,
      clientId: DEMO_EHERKENNING_CLIENT.id,
      clientSecret: DEMO_EHERKENNING_CLIENT.secret,
      privateKeyFile: undefined,
      ...common,
    };
  }
  const issuer = url('EHERKENNING_ISSUER', issuerRaw);
  if (production && !issuer.startsWith('https://')) {
    throw new ConfigError(
      `EHERKENNING_ISSUER must be an https URL when NODE_ENV=production, got "${issuerRaw}"`,
    );
  }
  const clientId = env.EHERKENNING_CLIENT_ID?.trim();
  if (!clientId) throw new ConfigError('EHERKENNING_CLIENT_ID is required with EHERKENNING_ISSUER');
  const clientSecret = env.EHERKENNING_CLIENT_SECRET || undefined;
  const privateKeyFile = env.EHERKENNING_PRIVATE_KEY_FILE?.trim()
    ? path.resolve(env.EHERKENNING_PRIVATE_KEY_FILE.trim())
    : undefined;
  if ((clientSecret === undefined) === (privateKeyFile === undefined)) {
    throw new ConfigError(
      'EHERKENNING_ISSUER needs exactly one of EHERKENNING_CLIENT_SECRET (client_secret_basic) and EHERKENNING_PRIVATE_KEY_FILE (private_key_jwt)',
    );
  }
  if (privateKeyFile && statSync(privateKeyFile, { throwIfNoEntry: false })?.isFile() !== true) {
    throw new ConfigError(`EHERKENNING_PRIVATE_KEY_FILE: ${privateKeyFile} is not a file`);
  }
  return { mode: 'broker', issuer, clientId, clientSecret, privateKeyFile, ...common };
}

function webhookAllowPrivateTargets(env: NodeJS.ProcessEnv, production: boolean): boolean {
  const allowed = boolean(env, 'WEBHOOK_ALLOW_PRIVATE_TARGETS', false);
  if (allowed && production) {
    throw new ConfigError(
      'WEBHOOK_ALLOW_PRIVATE_TARGETS=true is refused when NODE_ENV=production: it would let a buyer make the register send requests into its own network',
    );
  }
  return allowed;
}

function registerOin(env: NodeJS.ProcessEnv): string | undefined {
  const raw = env.REGISTER_OIN?.trim();
  if (!raw) return undefined;
  if (!/^[0-9]{20}$/.test(raw)) throw new ConfigError(`REGISTER_OIN must be 20 digits, got "${raw}"`);
  return raw;
}

function secretsKey(env: NodeJS.ProcessEnv, production: boolean): Buffer | undefined {
  const raw = env.SECRETS_KEY?.trim();
  if (!raw) {
    if (production) throw new ConfigError('SECRETS_KEY is required when NODE_ENV=production');
    return undefined;
  }
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32) throw new ConfigError('SECRETS_KEY must be 32 bytes, as base64 or hex');
  return key;
}

/**
 * Reads and checks the configuration. `defaults` lets an entry point choose its own default where
 * the variable is unset (the CLI logs warnings only unless LOG_LEVEL says otherwise).
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  defaults: { logLevel?: string } = {},
): Config {
  const nodeEnv = (env.NODE_ENV ?? 'development') as Config['env'];
  if (!ENVIRONMENTS.includes(nodeEnv)) {
    throw new ConfigError(`NODE_ENV must be one of ${ENVIRONMENTS.join(', ')}, got "${nodeEnv}"`);
  }
  const production = nodeEnv === 'production';
  // 0 would be a port the system picks, announced (and put in links) as port 0.
  const port = integer(env, 'PORT', 3000, 1, 65535);
  const databaseUrl = env.DATABASE_URL ? url('DATABASE_URL', env.DATABASE_URL) : undefined;
  if (production && !databaseUrl) {
    throw new ConfigError('DATABASE_URL is required when NODE_ENV=production');
  }
  const migrationDatabaseUrl = env.MIGRATION_DATABASE_URL
    ? url('MIGRATION_DATABASE_URL', env.MIGRATION_DATABASE_URL)
    : production
      ? undefined
      : databaseUrl;
  if (production && !migrationDatabaseUrl) {
    throw new ConfigError(
      'MIGRATION_DATABASE_URL is required when NODE_ENV=production: the migrations run as the owner role, the app as the runtime role in DATABASE_URL',
    );
  }
  if (migrationDatabaseUrl && !databaseUrl) {
    throw new ConfigError('MIGRATION_DATABASE_URL needs DATABASE_URL (the runtime role) as well');
  }
  const seedDemoData = boolean(env, 'SEED_DEMO_DATA', !production);
  if (production && seedDemoData) {
    throw new ConfigError(
      'SEED_DEMO_DATA=true is refused when NODE_ENV=production: the demo accounts have a published password',
    );
  }
  if (production && !env.PUBLIC_BASE_URL) {
    throw new ConfigError('PUBLIC_BASE_URL is required when NODE_ENV=production');
  }
  const sessionSecret =
    env.SESSION_SECRET ?? (production ? undefined : 'development-only-session-secret-not-for-production');
  if (!sessionSecret || sessionSecret.length < 32) {
    throw new ConfigError('SESSION_SECRET must be set to at least 32 characters when NODE_ENV=production');
  }
  const staffSecondFactorRequired = boolean(env, 'STAFF_2FA_REQUIRED', true);
  if (production && !staffSecondFactorRequired) {
    throw new ConfigError(
      'STAFF_2FA_REQUIRED=false is for local demos only and is refused when NODE_ENV=production',
    );
  }
  const signingP12File = env.SIGNING_P12_FILE ? path.resolve(env.SIGNING_P12_FILE) : undefined;
  const signingP12Passphrase = env.SIGNING_P12_PASSPHRASE;
  if (production && (!signingP12File || signingP12Passphrase === undefined)) {
    throw new ConfigError(
      'SIGNING_P12_FILE and SIGNING_P12_PASSPHRASE are required when NODE_ENV=production',
    );
  }
  if (signingP12File && signingP12Passphrase === undefined) {
    throw new ConfigError('SIGNING_P12_PASSPHRASE must be set together with SIGNING_P12_FILE');
  }
  const logSigningKeyFile = env.LOG_SIGNING_KEY_FILE ? path.resolve(env.LOG_SIGNING_KEY_FILE) : undefined;
  if (production && !logSigningKeyFile) {
    throw new ConfigError('LOG_SIGNING_KEY_FILE is required when NODE_ENV=production');
  }
  const publicBaseUrl = url('PUBLIC_BASE_URL', env.PUBLIC_BASE_URL ?? `http://localhost:${port}`);
  const dataDir = path.resolve(env.DATA_DIR ?? 'data');
  // The embedded database, the mail files and the development keys are made in it: a file there
  // would fail later, deep in whichever makes its folder first.
  if (statSync(dataDir, { throwIfNoEntry: false })?.isDirectory() === false) {
    throw new ConfigError(`DATA_DIR must be a folder, but ${dataDir} is a file`);
  }
  // Seconds, from 1; the starting values are DATABASE_LIMIT_DEFAULTS'.
  const limit = DATABASE_LIMIT_DEFAULTS;
  const [st, idle, long, wait] = [
    limit.statementSeconds,
    limit.idleInTransactionSeconds,
    limit.longWorkSeconds,
    limit.poolWaitSeconds,
  ];
  const statementSeconds = integer(env, 'DATABASE_STATEMENT_TIMEOUT_SECONDS', st, 1, 3600);
  const idleSeconds = integer(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_SECONDS', idle, 1, 3600);
  const longWorkSeconds = integer(env, 'DATABASE_LONG_WORK_TIMEOUT_SECONDS', long, 1, 86400);
  if (longWorkSeconds < statementSeconds) {
    throw new ConfigError(
      `DATABASE_LONG_WORK_TIMEOUT_SECONDS (${longWorkSeconds}) must be at least DATABASE_STATEMENT_TIMEOUT_SECONDS (${statementSeconds})`,
    );
  }
  return {
    env: nodeEnv,
    port,
    databaseUrl,
    migrationDatabaseUrl,
    dataDir,
    databasePoolSize: integer(env, 'DATABASE_POOL_SIZE', 10, 1, 200),
    publicBaseUrl,
    logLevel: logLevel(env, defaults.logLevel ?? (nodeEnv === 'test' ? 'silent' : 'info')),
    seedDemoData,
    shutdownDelayMs: integer(env, 'SHUTDOWN_DELAY_MS', production ? 5000 : 0, 0, 60000),
    shutdownTimeoutMs: integer(env, 'SHUTDOWN_TIMEOUT_MS', 10000, 100, 600000),
    sessionSecret,
    staffSecondFactorRequired,
    listingValidityMonths: integer(env, 'LISTING_VALIDITY_MONTHS', 12, 1, 60),
    renewalWindowDays: integer(env, 'RENEWAL_WINDOW_DAYS', 90, 1, 365),
    smtpUrl: env.SMTP_URL ? url('SMTP_URL', env.SMTP_URL) : undefined,
    mailDir: path.join(dataDir, 'mail'),
    mailFrom: env.MAIL_FROM ?? 'Register Verantwoorde Hostingproviders <noreply@register.example>',
    loginAttemptsPerIp: integer(env, 'LOGIN_ATTEMPTS_PER_IP', 30, 1, 100000),
    loginFailuresPerAccount: integer(env, 'LOGIN_FAILURES_PER_ACCOUNT', 5, 1, 1000),
    loginFailuresPerAccountAndIp: integer(env, 'LOGIN_FAILURES_PER_ACCOUNT_AND_IP', 5, 1, 1000),
    loginDelayMaxSeconds: integer(env, 'LOGIN_DELAY_MAX_SECONDS', 60, 1, 3600),
    passwordFormsPerIp: integer(env, 'PASSWORD_FORMS_PER_IP', 10, 1, 100000),
    registrationsPerIpPerDay: integer(env, 'REGISTRATIONS_PER_IP_PER_DAY', 20, 1, 100000),
    registrationsPerKvkPerHour: integer(env, 'REGISTRATIONS_PER_KVK_PER_HOUR', 10, 1, 1000),
    buyerEmailDomains: buyerEmailDomains(env),
    passwordHashConcurrency: integer(env, 'PASSWORD_HASH_CONCURRENCY', 1, 1, 64),
    passwordHashQueue: integer(env, 'PASSWORD_HASH_QUEUE', 16, 0, 10000),
    trustProxy: trustProxy(env),
    secretsKey: secretsKey(env, production),
    sessionAbsoluteHours: integer(env, 'SESSION_ABSOLUTE_HOURS', 12, 1, 720),
    signingP12File,
    signingP12Passphrase,
    logSigningKeyFile,
    logSignerStateFile: path.resolve(
      env.LOG_SIGNER_STATE_FILE ?? path.join(dataDir, 'log-signer-state.json'),
    ),
    logOrigin: logOrigin(env, publicBaseUrl),
    logWitnessKeys: logWitnessKeys(env),
    checkpointIntervalSeconds: integer(env, 'CHECKPOINT_INTERVAL_SECONDS', 30, 1, 86400),
    jobsIntervalSeconds: integer(env, 'JOBS_INTERVAL_SECONDS', nodeEnv === 'test' ? 0 : 300, 0, 86400),
    snapshotRefreshSeconds: integer(env, 'SNAPSHOT_REFRESH_SECONDS', nodeEnv === 'test' ? 0 : 15, 0, 300),
    watchMailSeconds: integer(env, 'WATCH_MAIL_SECONDS', nodeEnv === 'test' ? 0 : 5, 0, 3600),
    watchListingEndNoticeDays: integer(env, 'WATCH_LISTING_END_NOTICE_DAYS', 90, 1, 730),
    watchListMaxEntries: integer(env, 'WATCH_LIST_MAX_ENTRIES', 10_000, 1, 10_000),
    watchListsPerOrganisation: integer(env, 'WATCH_LISTS_PER_ORGANISATION', 100, 1, 10_000),
    searchCacheSeconds: integer(env, 'SEARCH_CACHE_SECONDS', nodeEnv === 'test' ? 0 : 5, 0, 60),
    invitationsPerUserPerHour: integer(env, 'INVITATIONS_PER_USER_PER_HOUR', 10, 1, 1000),
    pendingInvitationsPerProvider: integer(env, 'PENDING_INVITATIONS_PER_PROVIDER', 10, 1, 1000),
    evidenceMaxFiles: integer(env, 'EVIDENCE_MAX_FILES', 20, 1, 500),
    evidenceMaxTotalMb: integer(env, 'EVIDENCE_MAX_TOTAL_MB', 50, 1, 5000),
    organisationName: text(env, 'ORGANISATION_NAME', 'Register Verantwoorde Hostingproviders', 200),
    contactEmail: email(env, 'CONTACT_EMAIL', 'register@register.example'),
    reviewerNotification: reviewerNotification(env),
    apiRequestsPerMinute: integer(env, 'API_REQUESTS_PER_MINUTE', 600, 1, 10_000_000),
    bulkChecksPerClient: integer(env, 'BULK_CHECKS_PER_CLIENT', 2, 1, 100),
    heavyPoolSharePercent: integer(env, 'HEAVY_POOL_SHARE_PERCENT', 50, 1, 100),
    heavyWaitSeconds: integer(env, 'HEAVY_WAIT_SECONDS', 10, 0, 120),
    databaseStatementTimeoutSeconds: statementSeconds,
    databaseIdleInTransactionTimeoutSeconds: idleSeconds,
    databasePoolWaitSeconds: integer(env, 'DATABASE_POOL_WAIT_SECONDS', wait, 1, 60),
    databaseLongWorkTimeoutSeconds: longWorkSeconds,
    eherkenning: eherkenning(env, nodeEnv, publicBaseUrl),
    webhookPollSeconds: integer(env, 'WEBHOOK_POLL_SECONDS', 5, 1, 3600),
    webhookTimeoutMs: integer(env, 'WEBHOOK_TIMEOUT_MS', 5000, 100, 60000),
    webhookAllowPrivateTargets: webhookAllowPrivateTargets(env, production),
    webhookMaxSubscriptions: integer(env, 'WEBHOOK_MAX_SUBSCRIPTIONS', 10, 1, 1000),
    registerOin: registerOin(env),
    signalAnswerDays: integer(env, 'SIGNAL_ANSWER_DAYS', 30, 1, 365),
    signalReminderDays: dayList(env, 'SIGNAL_REMINDER_DAYS', [7, 1]),
    signalAggregateThreshold: integer(env, 'SIGNAL_AGGREGATE_THRESHOLD', 3, 2, 100),
    resellerDeclarationsPerDay: integer(env, 'RESELLER_DECLARATIONS_PER_DAY', 2000, 1, 1_000_000),
    resellerFlagPerDay: integer(env, 'RESELLER_FLAG_PER_DAY', 500, 1, 1_000_000),
    resellerMaxDeclared: integer(env, 'RESELLER_MAX_DECLARED', 20_000, 1, 1_000_000),
  };
}
