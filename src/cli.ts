/* eslint-disable no-console -- the command line's own output goes to the terminal */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { type ParseArgsConfig, parseArgs as parseEachArg } from 'node:util';
import { createUser } from './identity/account.service';
import { createBuyer } from './buyer/buyer.service';
import { erasePersonalData } from './identity/personal-data-erasure.service';
import { ROLES, type Role } from './identity/user.entity';
import { AanListIncomplete, AanListRejected, importAanList } from './aan/aan-import.service';
import { aanImportSummary } from './aan/aan-report';
import { AAN_LIST_MAX_BYTES } from './aan/aan-list';
import { signingKeyring } from './attestation/signing';
import { type Config, loadConfig } from './config';
import { dailyWork, runJobOnce, sendReviewerDigest, weekOf } from './jobs/daily-jobs';
import { dailySummary, weeklySummary } from './jobs/job-summary';
import { Provider } from './provider/provider.entity';
import { ValidationError } from './shared/errors';
import { must } from './shared/must';
import { dateInWords, translate } from './shared/i18n';
import { ENTITIES } from './entities';
import { type Database, openDatabase } from './database/connect';
import {
  recordAuditVerification,
  verifyAuditChain,
  verifyAuditChainIncrementally,
} from './audit/audit.service';
import { verificationReport } from './audit/verification-report';
import { actorEmails } from './audit/people.queries';
import { BULK_MAX, BulkRangeFullError, bulkCount, seedBulk } from './seed/bulk';
import { DemoRefusedError, seedDemoData } from './seed/demo';
import { type Clock, systemClock } from './shared/clock';
import { createLogger } from './shared/logger';
import { loadLogKey } from './transparency/log-key';
import { logSigner, signCheckpointIfDue } from './transparency/checkpoint.service';
import { recallSafely } from './transparency/signer-memory';

/**
 * node:util's parseArgs, refusing an option given twice (`--providers 2 --providers 900` would
 * silently take the last), with the same kind of error as its own refusals (usage, exit 2).
 */
function parseArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseEachArg<T>> {
  // A negative number after an option that takes a value is that value (refused by the command's
  // own check, naming it), not an "ambiguous" option.
  const args = (config.args ?? []).flatMap((arg, i, all) =>
    /^-[0-9]/.test(arg) && config.options?.[all[i - 1]?.replace(/^--/, '') ?? '']?.type === 'string'
      ? []
      : /^--/.test(arg) &&
          config.options?.[arg.slice(2)]?.type === 'string' &&
          /^-[0-9]/.test(all[i + 1] ?? '')
        ? [`${arg}=${all[i + 1]}`]
        : [arg],
  );
  const parsed = parseEachArg({ ...config, args, tokens: true });
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || config.options?.[token.name]?.multiple) continue;
    if (seen.has(token.name)) {
      throw Object.assign(new TypeError(`Option '--${token.name}' is given more than once: give it once.`), {
        code: 'ERR_PARSE_ARGS_REPEATED_OPTION',
      });
    }
    seen.add(token.name);
  }
  return parsed as ReturnType<typeof parseEachArg<T>>;
}

/** A progress bar on stderr, so that stdout keeps only the result. */
function progressBar(unit: string) {
  return (done: number, total: number) => {
    const width = 30;
    const filled = Math.round((done / Math.max(total, 1)) * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${unit}`);
  };
}

/** The work of a command once its arguments are checked: the exit code. */
type Run = (database: Database, clock: Clock) => Promise<number>;

interface Command {
  summary: string;
  /** Whether to bring the schema up to date before running. */
  migrate: boolean;
  /** Works on the schema, so runs as the owner role (MIGRATION_DATABASE_URL) instead of the app's. */
  owner?: boolean;
  /** Why the command is refused when NODE_ENV=production (fictional data): unset, it runs there. */
  notInProduction?: string;
  /**
   * Reads and checks the arguments (and any file they name) before the database is touched: the
   * work to do, or the exit code of a refusal (its message already printed).
   */
  prepare(args: string[], config: Config): Run | number;
}

/** The most problem lines a command prints; the rest are counted. */
const PRINTED_PROBLEMS = 100;

/** Prints at most PRINTED_PROBLEMS lines of `lines`, then how many more there are. */
function printCapped(lines: string[]): void {
  for (const line of lines.slice(0, PRINTED_PROBLEMS)) console.error(line);
  if (lines.length > PRINTED_PROBLEMS) console.error(`  … and ${lines.length - PRINTED_PROBLEMS} more`);
}

/** The bytes of the file an argument names, or a one-line refusal (no file, too large, unreadable). */
function readArgumentFile(file: string, maxBytes: number, what: string): Buffer | string {
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return `${file} is not a file.`;
    size = stat.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT'
      ? `There is no file ${file}.`
      : `Cannot read ${file} (${code ?? String(error)}).`;
  }
  if (size > maxBytes) {
    return `${file} is ${(size / 1024 / 1024).toFixed(1)} MB; ${what} may be at most ${maxBytes / 1024 / 1024} MB (as in the web form).`;
  }
  try {
    return readFileSync(file);
  } catch (error) {
    return `Cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)}).`;
  }
}

const COMMANDS: Record<string, Command> = {
  'db:migrate': {
    summary: 'apply pending migrations',
    migrate: true,
    owner: true,
    prepare: (args) =>
      noArguments(args) ??
      (() => {
        console.log('Database schema is up to date.');
        return Promise.resolve(0);
      }),
  },
  'db:revert': {
    summary: 'undo the most recent migration',
    migrate: false,
    owner: true,
    prepare: (args) =>
      noArguments(args) ??
      (async ({ dataSource }) => {
        await dataSource.undoLastMigration({ transaction: 'each' });
        console.log('Reverted the most recent migration.');
        return 0;
      }),
  },
  'user:create': {
    summary:
      'create an account: --email ADDRESS --role provider|reviewer|auditor|admin|buyer [--name NAME] [--password PW] [--provider KVK]',
    migrate: true,
    prepare: (args) => {
      const { values } = parseArgs({
        args,
        options: {
          email: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          password: { type: 'string' },
          provider: { type: 'string' },
        },
        strict: true,
      });
      const { email, role } = values;
      if (!email || !role || !(ROLES as readonly string[]).includes(role)) {
        console.error(`Give --email and --role (${ROLES.join(', ')}).`);
        return 2;
      }
      if (role === 'provider' && !values.provider) {
        console.error('A provider user needs --provider KVK.');
        return 2;
      }
      return async ({ dataSource }, clock) => {
        let providerId: string | null = null;
        if (values.provider) {
          const provider = await dataSource.getRepository(Provider).findOneBy({ kvkNumber: values.provider });
          if (!provider) {
            console.error(`No provider with KvK number ${values.provider}.`);
            return 2;
          }
          providerId = provider.id;
        }
        const password = values.password ?? randomBytes(15).toString('base64url');
        try {
          const input = { email, name: values.name ?? email, password };
          // A buyer joins the buyer organisation of their address's domain (made for its first buyer).
          if (role === 'buyer') await createBuyer(dataSource, input, 'cli:user:create', clock.now());
          else
            await createUser(
              dataSource,
              { ...input, role: role as Role, providerId },
              'cli:user:create',
              clock.now(),
            );
        } catch (error) {
          if (error instanceof ValidationError) {
            console.error(
              Object.entries(error.fields)
                .map(([field, keys]) => `${field}: ${keys.map((k) => translate('en', k)).join(', ')}`)
                .join('\n'),
            );
            return 2;
          }
          throw error;
        }
        console.log(`Created ${role} ${email.toLowerCase()}.`);
        if (!values.password) console.log(`Password: ${password}`);
        return 0;
      };
    },
  },
  'jobs:daily': {
    summary:
      'run the daily work now: expiries and lapses as status events, renewal reminders (and the weekly reviewer digest when due this week)',
    migrate: true,
    prepare: (args, config) =>
      noArguments(args) ??
      (async ({ dataSource }, clock) => {
        const now = clock.now();
        const daily = await runJobOnce(
          dataSource,
          'daily',
          `manual-${now.toISOString()}`,
          (manager) =>
            dailyWork(
              manager,
              now,
              config.publicBaseUrl,
              config.reviewerNotification,
              config.watchListingEndNoticeDays,
              config.signalReminderDays,
            ),
          now,
        );
        if (!daily.ran) {
          console.error('The daily work is running on another instance right now; nothing done.');
          return 1;
        }
        console.log(dailySummary(daily.result ?? {}));
        const weekly = await runJobOnce(
          dataSource,
          'weekly-digest',
          weekOf(now),
          (m) => sendReviewerDigest(m, now, config.publicBaseUrl),
          now,
        );
        console.log(
          weekly.ran ? weeklySummary(weekly.result ?? {}) : 'Weekly reviewer digest: already done this week.',
        );
        return 0;
      }),
  },
  'seed:demo': {
    summary: 'load the fictional demo providers (skipped when they are already there)',
    migrate: true,
    notInProduction: 'it loads fictional data, with accounts whose password is published',
    prepare: (args, config) =>
      noArguments(args) ??
      (async ({ dataSource }, clock) => {
        let count: number;
        try {
          count = await seedDemoData(dataSource, {
            now: clock.now(),
            config,
            keyring: signingKeyring(config, clock),
          });
        } catch (error) {
          if (!(error instanceof DemoRefusedError)) throw error;
          console.error(error.message);
          return 2;
        }
        console.log(
          count > 0 ? `Loaded ${count} demo providers.` : 'The demo data is already there; nothing changed.',
        );
        // A fresh demo has its first checkpoint at once, not at the signer's first tick.
        if (count > 0)
          await signCheckpointIfDue(dataSource, cliSigner(config), clock.now(), {
            intervalSeconds: config.checkpointIntervalSeconds,
            asked: true,
          });
        return 0;
      }),
  },
  'seed:bulk': {
    summary: 'load N fictional providers with histories, for benchmarks: --providers N',
    migrate: true,
    notInProduction: 'the fictional providers it loads can never be removed from the register',
    prepare: (args) => {
      const { values } = parseArgs({ args, options: { providers: { type: 'string' } }, strict: true });
      const count = bulkCount(values.providers);
      if (count === undefined) {
        console.error(
          `Give --providers N, N a whole number from 1 to ${BULK_MAX} in digits${values.providers === undefined ? '' : `; got "${values.providers}"`}.`,
        );
        return 2;
      }
      return async ({ dataSource }, clock) => {
        const started = clock.now().getTime();
        try {
          await seedBulk(dataSource, count, clock.now(), progressBar('providers'));
        } catch (error) {
          if (!(error instanceof BulkRangeFullError)) throw error;
          console.error(error.message);
          return 2;
        }
        process.stderr.write('\n');
        console.log(
          `Loaded ${count} providers in ${((clock.now().getTime() - started) / 1000).toFixed(1)} s.`,
        );
        return 0;
      };
    },
  },
  'aan:import': {
    summary: `import the AAN participant list: aan:import FILE [--incomplete] (CSV: kvk_nummer;naam;deelname_sinds;deelname_tot, UTF-8, at most ${AAN_LIST_MAX_BYTES / 1024 / 1024} MB; --incomplete imports a list that lacks many listed providers)`,
    migrate: true,
    prepare: (args) => {
      const { values, positionals } = parseArgs({
        args,
        options: { incomplete: { type: 'boolean' } },
        allowPositionals: true,
        strict: true,
      });
      const [file, ...more] = positionals;
      if (!file || more.length > 0) {
        console.error('Give one file: aan:import FILE [--incomplete]');
        return 2;
      }
      const bytes = readArgumentFile(file, AAN_LIST_MAX_BYTES, 'the AAN participant list');
      if (typeof bytes === 'string') {
        console.error(bytes);
        return 2;
      }
      return async ({ dataSource }, clock) => {
        try {
          const result = await importAanList(dataSource, bytes, 'cli:aan:import', clock.now(), {
            onProgress: progressBar('providers'),
            acceptIncomplete: values.incomplete === true,
          });
          process.stderr.write('\n');
          console.log(`${aanImportSummary('en', result)} (file SHA-256 ${result.fileSha256})`);
          for (const c of result.changes)
            console.log(
              `  ${c.kvkNumber} ${c.legalName}: ${translate('en', `aan.change.${c.change}`)}${c.effectiveAt ? ` ${dateInWords('en', c.effectiveAt)}` : ''}`,
            );
          return 0;
        } catch (error) {
          if (error instanceof AanListIncomplete) {
            console.error(
              `${translate('en', 'aan.incompleteIntro', { missing: error.missing.length, listed: error.listed })} Nothing was changed (file SHA-256 ${error.fileSha256}). If the list is complete, import it again with --incomplete.`,
            );
            printCapped(error.missing.map((p) => `  ${p.kvkNumber} ${p.legalName}`));
            return 1;
          }
          if (!(error instanceof AanListRejected)) throw error;
          console.error(`The list is refused whole; nothing was changed (file SHA-256 ${error.fileSha256}):`);
          printCapped(
            error.problems.map((p) => {
              const text = translate('en', `aan.problem.${p.problem}`, { value: p.value });
              const value = p.value && !text.includes(p.value) ? ` (${p.value})` : '';
              return `  ${p.line > 0 ? `line ${p.line}` : 'the file'}: ${text}${value}`;
            }),
          );
          return 1;
        }
      };
    },
  },
  'log:checkpoint': {
    summary: 'sign a checkpoint of the transparency log now, if the log has grown since the last one',
    migrate: true,
    prepare: (args, config) =>
      noArguments(args) ??
      (async ({ dataSource }, clock) => {
        const result = await signCheckpointIfDue(dataSource, cliSigner(config), clock.now(), {
          intervalSeconds: config.checkpointIntervalSeconds,
          asked: true,
        });
        switch (result.outcome) {
          case 'signed':
            console.log(`Signed a checkpoint of ${result.treeSize} leaves:\n\n${result.note}`);
            return 0;
          case 'not_due':
            console.log(
              `The log has not grown since the checkpoint of ${result.last.treeSize} leaves signed at ${result.last.signedAt.toISOString()}; nothing signed.`,
            );
            return 0;
          case 'busy':
            console.error('Another instance is signing a checkpoint right now; nothing done.');
            return 1;
          case 'refused':
            console.error(`No checkpoint signed: ${result.reason}. Run audit:verify --full.`);
            return 1;
        }
      }),
  },
  'personal-data:erase': {
    summary:
      'erase a person (AVG art. 17): --user ID anonymises their account (kept as "erased user" under the same id) and deletes the details kept beside the audit log about them; --email ADDRESS, for an address without an account, deletes the side rows naming it; the log itself stays whole',
    migrate: true,
    prepare: (args) => {
      const { values } = parseArgs({
        args,
        options: { user: { type: 'string' }, email: { type: 'string' } },
        strict: true,
      });
      if (!values.user === !values.email) {
        console.error('Give personal-data:erase --user ID, or --email ADDRESS (one of the two).');
        return 2;
      }
      return async ({ dataSource }, clock) => {
        try {
          const result = await erasePersonalData(
            dataSource,
            values.user ? { userId: values.user } : { email: must(values.email, 'the one of the two given') },
            'cli:personal-data:erase',
            clock.now(),
          );
          const rows = `${result.events.length} audit event(s)${result.events.length ? `: ${result.events.join(', ')}` : ''}`;
          if (result.userId) {
            console.log(
              `Erased user ${result.userId}: the account is anonymised and closed (shown as "verwijderde gebruiker / erased user"), and the personal details kept beside ${rows} are deleted.`,
            );
          } else {
            console.log(
              `Erased the personal details naming this address kept beside ${rows}. Free text elsewhere (application messages, evidence file names) is not searched.`,
            );
          }
          return 0;
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error;
          // An administrator may read either language: both, each on its own line.
          console.error(
            Object.entries(error.fields)
              .flatMap(([field, keys]) =>
                keys.flatMap((k) => [
                  `${field}: ${translate('nl', k, error.params)}`,
                  `${field}: ${translate('en', k, error.params)}`,
                ]),
              )
              .join('\n'),
          );
          return 2;
        }
      };
    },
  },
  'audit:verify': {
    summary:
      "verify the audit log's hash chain and the transparency log against its signed checkpoints, from the last verification on; --full: the whole log and every checkpoint (records what a run vouched for or found broken)",
    migrate: true,
    prepare: (args, config) => {
      let full: boolean;
      try {
        full = parseArgs({ args, options: { full: { type: 'boolean' } }, strict: true }).values.full === true;
      } catch {
        console.error('Give audit:verify [--full].');
        return 2;
      }
      return async ({ dataSource }, clock) => {
        const { verifierKey } = loadLogKey(config);
        // What the signer remembers signing last, read as the signer reads it: the database cannot vouch for itself.
        const { remembered, unreadable } = recallSafely(config.logSignerStateFile);
        if (unreadable)
          console.error(`Warning: not checked against what the signer last signed: ${unreadable}.`);
        const options = { verifierKey, ...(remembered ? { remembered } : {}) };
        const started = performance.now();
        const result = full
          ? await verifyAuditChain(dataSource, options)
          : await verifyAuditChainIncrementally(dataSource, options);
        const milliseconds = Math.round(performance.now() - started);
        const actors = [result.anchor, result.broken?.anchor, result.recorded].flatMap((v) =>
          v ? [v.verifiedBy] : [],
        );
        const emails = await actorEmails(dataSource.manager, actors);
        const who = (actor: string) => (emails.has(actor) ? `${actor} (${emails.get(actor)})` : actor);
        for (const line of verificationReport(result, full ? 'full' : 'incremental', milliseconds, who))
          console.log(line);
        // A break is recorded too: later incremental runs fail until a full run finds the log intact.
        await dataSource.transaction((m) =>
          recordAuditVerification(m, result, 'cli:audit:verify', clock.now(), milliseconds),
        );
        return result.broken || unreadable ? 1 : 0;
      };
    },
  },
};

/** The log key and the signer's memory of what it last signed, for a command that signs. */
function cliSigner(config: Config) {
  return logSigner(loadLogKey(config), config.logSignerStateFile, (message) =>
    console.warn(`Warning: ${message}`),
  );
}

/** Refuses arguments a command does not take: exit code 2, or undefined when there are none. */
function noArguments(args: string[]): number | undefined {
  if (args.length === 0) return undefined;
  console.error(`This command takes no arguments; got ${args.join(' ')}`);
  return 2;
}

function usage(): string {
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(16)} ${c.summary}`);
  return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...lines].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(name ? `Unknown command: ${name}\n\n${usage()}` : usage());
    return 2;
  }
  const config = loadConfig(undefined, { logLevel: 'warn' });
  if (command.notInProduction && config.env === 'production') {
    console.error(`${name} is refused when NODE_ENV=production: ${command.notInProduction}.`);
    return 2;
  }
  let run: Run | number;
  try {
    run = command.prepare(args, config);
  } catch (error) {
    // parseArgs: an option the command does not know, or one without its value.
    if (!(error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))) {
      throw error;
    }
    console.error(`${error.message}\n\n${usage()}`);
    return 2;
  }
  if (typeof run === 'number') return run;
  const logger = createLogger(config.logLevel);
  const database = await openDatabase(config, logger, {
    entities: ENTITIES,
    migrate: command.migrate,
    as: command.owner ? 'owner' : 'runtime',
    // Seeding a million providers or verifying millions of events: a command's statements may take long.
    work: 'long',
  });
  try {
    return await run(database, systemClock);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
