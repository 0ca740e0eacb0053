import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.join(__dirname, '..', '..', '..');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');

/** The README's text from heading `title` to the next heading of the same level. */
function section(title: string): string {
  const start = readme.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has no "## ${title}" section`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** Every environment variable a TypeScript source reads: `env.NAME`, `env['NAME']` or a helper's `(env, 'NAME'`. */
function variablesRead(source: string): string[] {
  const names = new Set<string>();
  for (const m of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(m[1] ?? '');
  for (const m of source.matchAll(/\benv\[['"]([A-Z][A-Z0-9_]*)['"]\]/g)) names.add(m[1] ?? '');
  for (const m of source.matchAll(/\(env, '([A-Z][A-Z0-9_]*)'/g)) names.add(m[1] ?? '');
  names.delete('');
  return [...names].sort();
}

function sourcesUnder(folder: string): string[] {
  return readdirSync(path.join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(folder, f));
}

describe('README', () => {
  it('lists every variable src/config.ts reads in its configuration table', () => {
    const table = section('Configuration');
    const read = variablesRead(readFileSync(path.join(ROOT, 'src', 'config.ts'), 'utf8'));
    assert.ok(
      read.length >= 30,
      `found only ${read.length} variables: the pattern no longer matches config.ts`,
    );
    assert.deepEqual(
      read.filter((name) => !table.includes(`\`${name}\``)),
      [],
    );
  });

  it('has config.ts as the only reader of process.env in src/', () => {
    const readers = sourcesUnder('src').filter((file) =>
      /process\.env\b/.test(readFileSync(path.join(ROOT, file), 'utf8')),
    );
    assert.deepEqual(readers, [path.join('src', 'config.ts')]);
  });

  it('lists the variables the test harness reads', () => {
    const table = section('Configuration');
    const read = variablesRead(
      sourcesUnder(path.join('test', 'helpers'))
        .map((file) => readFileSync(path.join(ROOT, file), 'utf8'))
        .join('\n'),
    ).filter((name) => !['HOME', 'PATH', 'NODE_ENV'].includes(name));
    assert.ok(read.includes('TEST_DATABASE_URL'), 'the pattern no longer finds TEST_DATABASE_URL');
    assert.deepEqual(
      read.filter((name) => !table.includes(`\`${name}\``)),
      [],
    );
  });

  it('describes every npm script', () => {
    const table = section('npm scripts');
    const scripts = Object.keys(
      (
        JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
          scripts: Record<string, string>;
        }
      ).scripts,
    );
    const undocumented = scripts.filter(
      (name) => !table.includes(`\`npm ${name}\``) && !table.includes(`npm run ${name}`),
    );
    assert.deepEqual(undocumented, []);
  });
});
