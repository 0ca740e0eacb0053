// Lints the API's OpenAPI document with both NL API Design Rules rulesets (../shared/standards):
// the adopted 2.1.0 rules and the main line's draft (Spectral; fails on any error or warning), and with Redocly's recommended rules, its warnings counted as errors (recommended-strict).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const standards = path.resolve(root, process.env.STANDARDS_DIR ?? '../shared/standards');
const require = createRequire(import.meta.url);
const { openApiDocument } = require(path.join(root, 'dist/src/api/openapi.js'));

// The document as served from the production address (https), which is what other systems read.
const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
writeFileSync(file, JSON.stringify(openApiDocument('https://register.example'), null, 2));

let failed = false;
for (const ruleset of ['adr-2.1.0-spectral.yml', 'adr-draft-spectral.yml']) {
  console.log(`\n== Spectral: ${ruleset}`);
  const result = spawnSync(
    process.execPath,
    [
      require.resolve('@stoplight/spectral-cli/dist/index.js'),
      'lint',
      '--fail-severity',
      'warn',
      '-r',
      path.join(standards, ruleset),
      file,
    ],
    { stdio: 'inherit', env: { ...process.env, SCARF_ANALYTICS: 'false' } },
  );
  if (result.status !== 0) failed = true;
}
console.log('\n== Redocly: recommended-strict');
const redocly = spawnSync(
  process.execPath,
  [require.resolve('@redocly/cli/bin/cli.js'), 'lint', '--extends', 'recommended-strict', file],
  {
    stdio: 'inherit',
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  },
);
if (redocly.status !== 0) failed = true;
process.exit(failed ? 1 : 0);
