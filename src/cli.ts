/* eslint-disable no-console -- the command line's own output goes to the terminal */
import { loadConfig } from './config';
import { openDatabase } from './database/connect';
import { verifyAuditChain } from './audit/audit.service';
import { seedDemoData } from './seed/demo';
import { createLogger } from './shared/logger';

interface Command {
  summary: string;
  /** Whether to bring the schema up to date before running. */
  migrate: boolean;
  run(database: Awaited<ReturnType<typeof openDatabase>>, args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  'db:migrate': {
    summary: 'apply pending migrations',
    migrate: true,
    run: async () => {
      console.log('Database schema is up to date.');
      return 0;
    },
  },
  'db:revert': {
    summary: 'undo the most recent migration',
    migrate: false,
    run: async ({ dataSource }) => {
      await dataSource.undoLastMigration({ transaction: 'each' });
      console.log('Reverted the most recent migration.');
      return 0;
    },
  },
  'seed:demo': {
    summary: 'load the fictional demo providers (skipped when they are already there)',
    migrate: true,
    run: async ({ dataSource }) => {
      const count = await seedDemoData(dataSource);
      console.log(
        count > 0 ? `Loaded ${count} demo providers.` : 'The demo data is already there; nothing changed.',
      );
      return 0;
    },
  },
  'audit:verify': {
    summary: 'verify the hash chain of the whole audit log',
    migrate: true,
    run: async ({ dataSource }) => {
      const result = await verifyAuditChain(dataSource);
      if (result.broken) {
        console.log(
          `Audit log BROKEN at event ${result.broken.id} (${result.broken.problem === 'content_mismatch' ? 'its content was changed' : 'its predecessor was changed or removed'}); ${result.checked} events checked.`,
        );
        return 1;
      }
      console.log(`Audit log intact: ${result.checked} events checked.`);
      return 0;
    },
  },
};

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
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ?? 'warn');
  const database = await openDatabase(config, logger, { migrate: command.migrate });
  try {
    return await command.run(database, args);
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
