import { createHash, randomUUID } from 'node:crypto';
import { actorOf } from '../audit/actor';
import { appendAuditEvent } from '../audit/audit.service';
import type { DataSource } from 'typeorm';
import { importAanList } from '../aan/aan-import.service';
import { Application } from '../application/application.entity';
import {
  addEvidence,
  saveApplication,
  startApplication,
  submitApplication,
  withdrawApplication,
} from '../application/application.service';
import { actOnProvider, confirmProviderIdentity } from '../application/provider-actions.service';
import { decide } from '../application/review.service';
import { issueAttestation, issuerOf } from '../attestation/attestation.service';
import type { Keyring } from '../attestation/signing';
import type { Config } from '../config';
import { addUser } from '../identity/account.service';
import { addBuyer } from '../buyer/buyer.service';
import { renameOrganisation } from '../buyer/buyer.queries';
import { addWatchEntries, watchLimitsOf } from '../buyer/watch-list.service';
import { hashPassword } from '../identity/password';
import type { User } from '../identity/user.entity';
import { Provider } from '../provider/provider.entity';
import { createProvider } from '../register/provider.service';
import { FixedClock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { paths } from '../shared/paths';
import { addDays, addMonths, toLocalDate } from '../shared/time';
import { confirmPublication, previewPublication } from '../status/code-of-conduct.service';
import {
  DEMO_AAN_IMPORTS_MONTHS_AGO,
  DEMO_ACTOR,
  DEMO_ADMIN,
  DEMO_ATTESTATIONS,
  DEMO_BUYER,
  DEMO_CODE_VERSIONS,
  DEMO_PASSWORD,
  DEMO_PROVIDERS,
  DEMO_RESELLER_PROVIDER,
  DEMO_REVIEWERS,
  DEMO_SIGNAL_SUPPLIER,
  DEMO_STAFF,
  type DemoProvider,
  demoDomain,
  demoKvk,
  demoLogin,
  demoOrganisation,
  type Step,
  type VersionKey,
} from './demo-data';
import { MINUTE, monthsBefore, officeHours } from './demo-calendar';
import { DemoNights } from './demo-nights';
import { seedDeclaredResellers, seedSignals, seedSignalSupplier } from './demo-signals';
import { simplePdf } from './demo-pdf';
import { lockSeeding, otherProviderCount } from './seed.queries';

/*
 * The demo history is made the way the register's history is always made: people register,
 * apply with evidence, reviewers decide, the administrator publishes code versions and imports
 * AAN lists, providers ask for attestations. Each of those is one scene at a moment in the past;
 * the scenes are played in order through the register's own services while a FixedClock moves
 * forward, so every row, audit event and signature carries the moment it was made; at night the
 * scheduler does its daily work (`demo-nights.ts`), recording expiries and lapses as it always does.
 */

export interface DemoOptions {
  /** The moment of seeding: the demo's history ends here. */
  now: Date;
  config: Config;
  /** Without a keyring the demo has no attestations. */
  keyring?: Keyring;
  onlyIfEmpty?: boolean;
}

/**
 * Thrown before anything is written when the register holds providers that are not the demo's:
 * the demo plays 42 months of history through the register's own services and nightly jobs, which
 * would publish code versions over those providers, record their lapses and mail them.
 */
export class DemoRefusedError extends Error {
  constructor(readonly others: number) {
    super(
      `Not loading the demo: this register already holds ${others.toLocaleString('en')} providers that are not the demo's ` +
        `(from seed:bulk or real registrations). The demo's history would publish code versions over them, record their ` +
        `lapses and mail them. Load the demo into an empty register (seed:bulk may follow it).`,
    );
  }
}

/**
 * Loads the demo data. Skips (and answers 0) when the demo providers are already there, or with
 * `onlyIfEmpty` when any provider is; refuses (DemoRefusedError) when providers other than the
 * demo's are there. Each scene commits as the service it calls commits (an
 * attestation reads committed history through the pool, so the history cannot be one
 * transaction); the seeding lock, held by a transaction of its own until the last scene, keeps a
 * second instance from seeding at the same time: it waits, then finds the demo there.
 */
export async function seedDemoData(dataSource: DataSource, options: DemoOptions): Promise<number> {
  return dataSource.transaction(async (manager) => {
    await lockSeeding(manager);
    const repository = manager.getRepository(Provider);
    if (options.onlyIfEmpty && (await repository.count()) > 0) return 0;
    if (await repository.existsBy({ kvkNumber: demoKvk(0) })) return 0;
    const others = await otherProviderCount(
      manager,
      DEMO_PROVIDERS.map((_, index) => demoKvk(index)),
    );
    if (others > 0) throw new DemoRefusedError(others);
    await new DemoHistory(dataSource, options).play();
    return DEMO_PROVIDERS.length;
  });
}

interface Scene {
  at: Date;
  play: () => Promise<void>;
}

/** What one demo provider has in the register while its history is played. */
interface Cast {
  provider: Provider;
  user: User;
  /** The provider's latest application. */
  applicationId?: string;
}

class DemoHistory {
  private readonly clock: FixedClock;
  private readonly config: Config;
  private readonly scenes: Scene[] = [];
  private readonly users = new Map<string, User>();
  private readonly versions = new Map<VersionKey, string>();
  /** The day each version was published: nobody signs a version before it exists. */
  private readonly publishedDays = new Map<VersionKey, string>();
  private readonly cast = new Map<DemoProvider, Cast>();
  private passwordHash = '';
  private readonly nights: DemoNights;

  constructor(
    private readonly dataSource: DataSource,
    private readonly options: DemoOptions,
  ) {
    this.clock = new FixedClock(monthsBefore(options.now, 42));
    // The demo's register ran on the default listing validity and renewal window, whatever this one's.
    this.config = { ...options.config, listingValidityMonths: 12, renewalWindowDays: 90 };
    this.nights = new DemoNights(dataSource, this.config.publicBaseUrl);
  }

  private get now(): Date {
    return this.clock.now();
  }

  /** Moves the clock on by `minutes`: the next action of the same person, a little later. */
  private later(minutes = 3): Date {
    this.clock.advance(minutes * MINUTE);
    return this.now;
  }

  private scene(monthsAgo: number, play: () => Promise<void>, minutes = 0): void {
    const at = officeHours(this.options.now, monthsAgo, minutes);
    this.scenes.push({ at, play: () => play().then(() => this.nights.afterScene()) });
  }

  async play(): Promise<void> {
    this.passwordHash = await hashPassword(DEMO_PASSWORD);
    this.scene(41, () => this.hireStaff());
    for (const version of DEMO_CODE_VERSIONS) this.scene(version.monthsAgo, () => this.publish(version));
    for (const monthsAgo of DEMO_AAN_IMPORTS_MONTHS_AGO) this.scene(monthsAgo, () => this.importAan(), 60);
    DEMO_PROVIDERS.forEach((demo, index) => {
      // Each provider acts at its own minute of the morning, so that two never act at once.
      const minute = 5 + index * 7;
      this.scene(demo.registeredMonthsAgo, () => this.register(demo, index), minute);
      for (const step of demo.steps) this.scene(step.monthsAgo, () => this.act(demo, step), minute);
    });
    // A buyer's watch list of a few of the suppliers above, made last month (issue 18).
    this.scene(1, () => this.watch(), 300);
    // The police join as a signal supplier; a provider declares its resellers; two signals, one matching (issue 19).
    this.scene(3, () => this.policeJoin(), 320);
    this.scene(2, () => this.declareResellers(), 330);
    this.scene(0.5, () => this.sendSignals(), 340);
    if (this.options.keyring) {
      for (const attestation of DEMO_ATTESTATIONS) {
        const demo = DEMO_PROVIDERS.find((d) => d.legalName.startsWith(attestation.provider))!;
        this.scene(attestation.monthsAgo, () => this.attest(demo), 240);
      }
    }
    this.scenes.push(...this.nights.scenes(this.now, this.options.now));
    // Stable: scenes at the same moment keep the order they were written in.
    this.scenes.sort((a, b) => a.at.getTime() - b.at.getTime());
    for (const scene of this.scenes) {
      // Forward only: a scene that starts while the one before is still busy waits for it.
      this.clock.set(new Date(Math.max(scene.at.getTime(), this.now.getTime())));
      await scene.play();
    }
  }

  private async hireStaff(): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      for (const staff of DEMO_STAFF) {
        const user = await addUser(
          manager,
          { ...staff, providerId: null, passwordHash: this.passwordHash, emailVerifiedAt: this.later(1) },
          DEMO_ACTOR,
          this.later(1),
        );
        this.users.set(user.email, user);
      }
    });
  }

  /**
   * The demo buyer with a watch list: a supplier that is verantwoord (its listing ends before the
   * two-year contract does, so the page marks it), one suspended and one revoked.
   */
  private async watch(): Promise<void> {
    const buyer = await this.dataSource.transaction(async (manager) => {
      const { user, organisation } = await addBuyer(
        manager,
        { email: DEMO_BUYER.email, name: DEMO_BUYER.name, passwordHash: this.passwordHash },
        DEMO_ACTOR,
        this.later(1),
      );
      await renameOrganisation(manager, organisation.id, DEMO_BUYER.organisation);
      await appendAuditEvent(manager, this.now, {
        actor: DEMO_ACTOR,
        action: 'buyer_organisation.renamed',
        subjectType: 'buyer_organisation',
        subjectId: organisation.id,
        data: { name: DEMO_BUYER.organisation },
      });
      return user;
    });
    const picks = ['verantwoord', 'suspended', 'revoked'].map((expected) =>
      DEMO_PROVIDERS.findIndex((d) => d.expected === expected),
    );
    const contractStart = toLocalDate(addMonths(this.options.now, -6));
    const contractEnd = toLocalDate(addMonths(this.options.now, 24));
    await addWatchEntries(
      this.dataSource,
      buyer,
      { newListName: DEMO_BUYER.listName },
      picks
        .filter((index) => index >= 0)
        .map((index, n) => ({
          kvkNumber: demoKvk(index),
          reference: `CONTRACT-${n + 1}`,
          contractStart,
          contractEnd,
        })),
      'import',
      watchLimitsOf(this.config),
      this.later(2),
    );
  }

  private police?: { supplierId: string; user: User };
  private declaredResellers = new Map<string, string>();

  private resellerCast(): Cast {
    const demo = DEMO_PROVIDERS.find((d) => d.legalName.startsWith(DEMO_RESELLER_PROVIDER))!;
    return this.cast.get(demo)!;
  }

  private async policeJoin(): Promise<void> {
    this.police = await this.dataSource.transaction((manager) =>
      seedSignalSupplier(manager, this.passwordHash, this.later(1)),
    );
  }

  private async declareResellers(): Promise<void> {
    const { provider, user } = this.resellerCast();
    this.declaredResellers = await this.dataSource.transaction((manager) =>
      seedDeclaredResellers(manager, this.config, provider.id, user, this.later(2)),
    );
  }

  private async sendSignals(): Promise<void> {
    const { provider } = this.resellerCast();
    await this.dataSource.transaction((manager) =>
      seedSignals(manager, this.config, this.police!, provider.id, this.declaredResellers, this.later(2)),
    );
  }

  private staff(email: string): User {
    return this.users.get(email)!;
  }

  /** The administrator publishes a version as the page does: a preview, then its confirmation. */
  private async publish(version: (typeof DEMO_CODE_VERSIONS)[number]): Promise<void> {
    const form = {
      versionLabel: version.label,
      versionTitle: `Gedragscode Abusebestrijding ${version.label} (demo)`,
      publishedOn: toLocalDate(this.now),
      transitionEndsOn: toLocalDate(monthsBefore(this.options.now, version.transitionEndsMonthsAgo)),
    };
    const result = await this.dataSource.transaction(async (manager) => {
      const { digest } = await previewPublication(manager, form, this.now);
      return confirmPublication(
        manager,
        {
          ...form,
          digest,
          actor: actorOf(this.staff(DEMO_ADMIN)),
          accountUrl: `${this.config.publicBaseUrl}${paths.account}`,
        },
        this.now,
      );
    });
    if (!('published' in result)) throw new Error(`demo version ${version.label} changed while publishing`);
    this.versions.set(version.key, result.published.id);
    this.publishedDays.set(version.key, form.publishedOn);
  }

  /** The AAN participant list as the AAN sends it: every demo participant known on this day. */
  private async importAan(): Promise<void> {
    const today = toLocalDate(this.now);
    const rows = DEMO_PROVIDERS.flatMap((demo, index) => {
      const first = demo.steps.find((s) => s.action === 'apply');
      if (!first) return [];
      const since = toLocalDate(monthsBefore(this.options.now, first.aanMonthsAgo));
      if (since > today) return [];
      const endedOn =
        demo.aanEndedMonthsAgo === undefined
          ? ''
          : toLocalDate(monthsBefore(this.options.now, demo.aanEndedMonthsAgo));
      return [`${demoKvk(index)};${demo.legalName};${since};${endedOn <= today ? endedOn : ''}`];
    });
    const list = ['kvk_nummer;naam;deelname_sinds;deelname_tot', ...rows].join('\n');
    await importAanList(this.dataSource, `${list}\n`, actorOf(this.staff(DEMO_ADMIN)), this.now);
  }

  /** The organisation registers itself with its first user, as the registration form does. */
  private async register(demo: DemoProvider, index: number): Promise<void> {
    const email = demoLogin(demo);
    // As the form does: the provider is created by the user about to be added.
    const id = randomUUID();
    const cast = await this.dataSource.transaction(async (manager) => {
      const actor = actorOf({ id, role: 'provider' });
      const provider = await createProvider(manager, demoOrganisation(demo, index), actor, this.now);
      const user = await addUser(
        manager,
        {
          id,
          email,
          name: `Demo ${demo.legalName}`,
          role: 'provider',
          providerId: provider.id,
          passwordHash: this.passwordHash,
          // Demo logins work at once: the demo's addresses reach nobody.
          emailVerifiedAt: this.now,
        },
        actor,
        this.now,
      );
      return { provider, user };
    });
    this.cast.set(demo, cast);
  }

  private async act(demo: DemoProvider, step: Step): Promise<void> {
    const cast = this.cast.get(demo)!;
    switch (step.action) {
      case 'apply':
        return this.apply(demo, cast, step.version, step.aanMonthsAgo);
      case 'resubmit':
        await this.upload(demo, cast, 'aan_confirmation', 'Ondertekende bevestiging deelname AAN');
        return submitApplication(
          this.dataSource,
          cast.user,
          cast.applicationId!,
          await this.applicationVersion(cast),
          this.config,
          this.later(),
        );
      case 'withdraw':
        return withdrawApplication(
          this.dataSource,
          cast.user,
          cast.applicationId!,
          await this.applicationVersion(cast),
          this.now,
        );
      case 'start_review':
      case 'approve':
      case 'reject':
      case 'request_changes':
        await decide(
          this.dataSource,
          this.staff(DEMO_REVIEWERS[step.by]),
          cast.applicationId!,
          { action: step.action, message: step.reason ?? '', version: await this.applicationVersion(cast) },
          this.config,
          this.now,
        );
        return;
      case 'suspend':
      case 'lift':
      case 'revoke': {
        const until =
          step.suspendedForMonths === undefined
            ? ''
            : toLocalDate(addMonths(this.now, step.suspendedForMonths));
        return actOnProvider(
          this.dataSource,
          this.staff(DEMO_REVIEWERS[step.by]),
          cast.provider.kvkNumber,
          { action: step.action, reason: step.reason, until },
          this.config,
          this.now,
        );
      }
      case 'confirm_identity': {
        // The reviewer checked an extract from the Business Register: a made-up one in the demo.
        const extract = simplePdf(
          `Uittreksel Handelsregister (demo) - KvK ${cast.provider.kvkNumber} - ${cast.provider.legalName}`,
        );
        return confirmProviderIdentity(
          this.dataSource,
          this.staff(DEMO_REVIEWERS[step.by]),
          cast.provider.kvkNumber,
          {
            originalName: `uittreksel-${cast.provider.kvkNumber}.pdf`,
            size: extract.length,
            sha256: createHash('sha256').update(extract).digest('hex'),
            buffer: extract,
          },
          this.now,
        );
      }
    }
  }

  private async applicationVersion(cast: Cast): Promise<string> {
    const application = await this.dataSource.manager.findOneByOrFail(Application, {
      id: cast.applicationId,
    });
    return String(application.version);
  }

  /** The provider's user starts an application, fills it in, uploads both pieces of evidence, submits. */
  private async apply(
    demo: DemoProvider,
    cast: Cast,
    version: VersionKey,
    aanMonthsAgo: number,
  ): Promise<void> {
    const label = DEMO_CODE_VERSIONS.find((v) => v.key === version)!.label;
    const domain = demoDomain(demo);
    const application = await startApplication(this.dataSource, cast.user, this.config, this.now);
    cast.applicationId = application.id;
    const signatory = `${domain.charAt(0).toUpperCase()}. ${domain.charAt(0).toUpperCase()}${domain.slice(1)}`;
    const threeDaysAgo = toLocalDate(addDays(this.now, -3));
    const published = this.publishedDays.get(version) ?? threeDaysAgo;
    const codeSignedOn = threeDaysAgo < published ? published : threeDaysAgo;
    const saved = await saveApplication(
      this.dataSource,
      cast.user,
      application.id,
      {
        codeOfConductVersionId: this.versions.get(version)!,
        codeSignedOn,
        signatoryName: signatory,
        signatoryRole: 'Directeur',
        aanSince: toLocalDate(monthsBefore(this.options.now, aanMonthsAgo)),
        aanContactName: 'A. Buse',
        aanContactEmail: `aan@${domain}.example`,
      },
      String(application.version),
      this.later(),
    );
    await this.upload(
      demo,
      cast,
      'code_of_conduct',
      `Gedragscode Abusebestrijding ${label}, ondertekend door ${signatory} (Directeur) op ${codeSignedOn}`,
    );
    await this.upload(demo, cast, 'aan_confirmation', 'Bevestiging deelname Anti Abuse Netwerk');
    await submitApplication(
      this.dataSource,
      cast.user,
      application.id,
      String(saved.version),
      this.config,
      this.later(),
    );
  }

  private async upload(
    demo: DemoProvider,
    cast: Cast,
    kind: 'code_of_conduct' | 'aan_confirmation',
    text: string,
  ): Promise<void> {
    await addEvidence(
      this.dataSource,
      cast.user,
      cast.applicationId!,
      {
        kind,
        filename: kind === 'code_of_conduct' ? 'gedragscode-ondertekend.pdf' : 'bevestiging-aan.pdf',
        content: simplePdf(`${text} - ${demo.legalName} (demo)`),
      },
      this.config,
      this.later(),
    );
  }

  /** The provider's user asks for an attestation on its account page. */
  private async attest(demo: DemoProvider): Promise<void> {
    const cast = this.cast.get(demo)!;
    await issueAttestation(
      this.dataSource,
      {
        providerId: cast.provider.id,
        actor: actorOf(cast.user),
        publicBaseUrl: this.config.publicBaseUrl,
        keyring: this.options.keyring!,
        issuer: issuerOf(this.config),
      },
      this.now,
    );
  }
}

/** Loads the demo data when the register holds no providers yet (a fresh `npm start`). */
export async function seedDemoDataIfEmpty(
  dataSource: DataSource,
  logger: Logger,
  options: Omit<DemoOptions, 'onlyIfEmpty'>,
): Promise<boolean> {
  const count = await seedDemoData(dataSource, { ...options, onlyIfEmpty: true });
  if (count > 0) logger.info({ providers: count }, 'demo data loaded');
  return count > 0;
}

/**
 * The demo logins this register has, as the start log lists them ("address (role)"): only the
 * accounts that exist and are not disabled, so a register without the demo lists none.
 */
export async function existingDemoLogins(dataSource: DataSource): Promise<string[]> {
  const logins = [
    ...DEMO_PROVIDERS.filter((d) => d.login).map((d) => ({
      email: d.login!,
      label: `${d.login} (provider: ${d.legalName})`,
    })),
    ...DEMO_STAFF.map((s) => ({ email: s.email, label: `${s.email} (${s.role})` })),
    { email: DEMO_BUYER.email, label: `${DEMO_BUYER.email} (buyer: ${DEMO_BUYER.organisation})` },
    {
      email: DEMO_SIGNAL_SUPPLIER.email,
      label: `${DEMO_SIGNAL_SUPPLIER.email} (signal supplier: ${DEMO_SIGNAL_SUPPLIER.name})`,
    },
  ];
  const rows = await dataSource.query<{ email: string }[]>(
    'SELECT email FROM users WHERE email = ANY($1::text[]) AND disabled_at IS NULL',
    [logins.map((l) => l.email)],
  );
  const present = new Set(rows.map((r) => r.email));
  return logins.filter((l) => present.has(l.email)).map((l) => l.label);
}
