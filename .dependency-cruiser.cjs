/**
 * The layers of the register, from the bottom; a module imports only from its own layer or below.
 *
 *   shared/, config.ts     helpers and the configuration: no domain, no Express
 *   database/              the DataSource factory, migrations runner, embedded PostgreSQL, cursors
 *   audit/, mail/,         the hash-chained audit log and security events, the mail outbox,
 *   provider/              the provider entity and its review tasks: low parts every domain uses
 *   identity/              users, tokens, passwords, second factor, staff
 *   status/, register/, application/, attestation/, aan/, check/, open-data/, settings/, jobs/,
 *   seed/                  the domains: rules, services, queries (no Express, no req/res)
 *   web/, api/, portal/,   the web: routes, view models, middleware; also any domain's
 *   audit-browser/         *.routes.ts and *.view.ts
 *   app.ts, server.ts, cli.ts, entities.ts   composition and entry points
 *
 * monitor/ (the transparency log library and the independent monitor) stands apart: it imports nothing from
 * src/ and no package, only node: built-ins, so anyone can take it and run it; src/ may import monitor/lib/.
 *
 * `npm run lint` runs it: `depcruise src monitor --config .dependency-cruiser.cjs`.
 */
const WEB_FOLDERS = '^src/(web|api|portal|audit-browser)/';
const WEB_FILES = '\\.(routes|view)\\.ts$';
const ENTRY = '^src/(app|server|cli|entities)\\.ts$';
const BOTTOM = '^src/(shared/|config\\.ts$)';
// The watch events (src/watch/watch-events.ts) are an outbox like the mail's: every domain writes to them.
const LOW = '^src/(audit|mail|provider)/|^src/watch/watch-events\\.ts$';
const EXPRESS =
  '(^|/)node_modules/(express|express-[^/]+|@types/express[^/]*|csrf-csrf|cookie-parser|connect-pg-simple|busboy|helmet|cors|pino-http|@types/(busboy|cookie-parser|connect-pg-simple|cors))/';

/** Everything under src/ that is not web and not an entry point: shared, database and the domains. */
const belowWeb = { path: '^src/', pathNot: [WEB_FOLDERS, WEB_FILES, ENTRY] };

module.exports = {
  forbidden: [
    {
      name: 'monitor-imports-nothing-from-src',
      severity: 'error',
      comment:
        'The monitor must be runnable by anyone without the register: it never imports from src/ (src/ may import monitor/lib/).',
      from: { path: '^monitor/' },
      to: { path: '^src/' },
    },
    {
      name: 'monitor-imports-only-node-built-ins',
      severity: 'error',
      comment: 'The monitor has no dependencies to install: only node: built-ins and its own modules.',
      from: { path: '^monitor/' },
      to: { path: '^(?!monitor/)', dependencyTypesNot: ['core'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes both ends one module in disguise: break it with a lower module both use.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      scope: 'folder',
      severity: 'error',
      comment:
        'Folders depend one way too: two folders that import each other (through any path) are one part in disguise.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports is dead code (or an entry point: list it here).',
      from: {
        orphan: true,
        path: '^src/',
        pathNot: ['^src/(server|cli)\\.ts$', '\\.d\\.ts$'],
      },
      to: {},
    },
    {
      name: 'shared-imports-only-shared',
      severity: 'error',
      comment: 'shared/ is the bottom: it imports nothing from the rest of src/.',
      from: { path: '^src/shared/' },
      to: { path: '^src/', pathNot: '^src/shared/' },
    },
    {
      name: 'config-imports-only-shared',
      severity: 'error',
      comment: 'config.ts sits at the bottom with shared/.',
      from: { path: '^src/config\\.ts$' },
      to: { path: '^src/', pathNot: BOTTOM },
    },
    {
      name: 'database-imports-only-shared',
      severity: 'error',
      comment: 'database/ knows no domain: the entities are handed in by src/entities.ts.',
      from: { path: '^src/database/' },
      to: { path: '^src/', pathNot: [BOTTOM, '^src/database/'] },
    },
    {
      name: 'low-parts-import-only-below',
      severity: 'error',
      comment:
        'The audit log, the mail outbox, the watch events and the provider entity are used by every domain and use none.',
      from: { path: LOW, pathNot: [WEB_FILES] },
      to: { path: '^src/', pathNot: [BOTTOM, '^src/database/', LOW] },
    },
    {
      name: 'identity-imports-only-below',
      severity: 'error',
      comment:
        'identity/ (users, tokens, passwords, second factor) uses only shared, database and the low parts.',
      from: { path: '^src/identity/', pathNot: [WEB_FILES] },
      to: { path: '^src/', pathNot: [BOTTOM, '^src/database/', LOW, '^src/identity/'] },
    },
    {
      name: 'status-imports-no-other-domain',
      severity: 'error',
      comment:
        "Every domain reads a provider's status; status/ reads none of them (a status change never climbs back up).",
      from: { path: '^src/status/', pathNot: [WEB_FILES] },
      to: { path: '^src/', pathNot: [BOTTOM, '^src/database/', LOW, '^src/status/'] },
    },
    {
      name: 'below-web-imports-no-express',
      severity: 'error',
      comment: 'Rules, services and queries know no Express, no req/res: those stay in the web layer.',
      from: belowWeb,
      to: { path: EXPRESS },
    },
    {
      name: 'below-web-imports-no-web',
      severity: 'error',
      comment: 'Domains never import routes, view models or middleware.',
      from: belowWeb,
      to: { path: [WEB_FOLDERS, WEB_FILES, ENTRY] },
    },
    {
      name: 'routes-import-no-routes',
      severity: 'error',
      comment: 'A routes file never imports another: shared view helpers go to a *.view.ts module.',
      from: { path: '\\.routes\\.ts$' },
      to: { path: '\\.routes\\.ts$' },
    },
    {
      name: 'web-imports-no-entry-points',
      severity: 'error',
      comment: 'Only the entry points compose the app: nothing imports app.ts, server.ts or cli.ts.',
      from: { path: '^src/', pathNot: ENTRY },
      to: { path: ENTRY },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(dist|coverage)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
    },
  },
};
