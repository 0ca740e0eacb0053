import assert from 'node:assert/strict';
import {
  CHANGELOG,
  type Deprecation,
  DEPRECATION_NOTICE_DAYS,
  DEPRECATIONS,
  deprecationHeader,
  deprecationsFor,
  sunsetHeader,
} from '../../src/api/api.lifecycle';
import { API_VERSION, openApiDocument } from '../../src/api/openapi';

const DAY_MS = 86_400_000;
const semver = (v: string) => v.split('.').map(Number);
const newer = (a: string, b: string) => {
  const [x, y] = [semver(a), semver(b)];
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return (x[i] ?? 0) > (y[i] ?? 0);
  return false;
};

describe('the API life cycle (changelog and deprecations)', () => {
  it('has the current version first in the changelog, each version newer and no earlier than the one before', () => {
    assert.equal(CHANGELOG[0]?.version, API_VERSION);
    for (const entry of CHANGELOG) {
      assert.match(entry.version, /^\d+\.\d+\.\d+$/);
      assert.match(entry.date, /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(
        entry.changes.nl.length > 0 && entry.changes.nl.length === entry.changes.en.length,
        entry.version,
      );
    }
    for (let i = 1; i < CHANGELOG.length; i++) {
      const [later, earlier] = [CHANGELOG[i - 1]!, CHANGELOG[i]!];
      assert.ok(newer(later.version, earlier.version), `${later.version} after ${earlier.version}`);
      assert.ok(later.date >= earlier.date, `${later.version} dated before ${earlier.version}`);
    }
    // Only the major version is in the URL: 1.x.y is served under /api/v1.
    assert.equal(semver(API_VERSION)[0], 1);
  });

  it('gives every deprecated part at least the announced notice, and names only what the API has', () => {
    const document = openApiDocument('https://register.example');
    for (const d of DEPRECATIONS) {
      assert.ok(
        d.sunsetAt.getTime() - d.deprecatedAt.getTime() >= DEPRECATION_NOTICE_DAYS * DAY_MS,
        `${d.method} ${d.path}: sunset too soon`,
      );
      const operation = (document.paths as Record<string, Record<string, { deprecated?: boolean }>>)[
        d.path
      ]?.[d.method.toLowerCase()];
      assert.ok(operation, `${d.method} ${d.path} is not in the API`);
      if (d.parameter === undefined) assert.equal(operation.deprecated, true);
      const announced = CHANGELOG.some(
        (entry) =>
          entry.date === d.deprecatedAt.toISOString().slice(0, 10) &&
          entry.changes.nl.join(' ').includes(d.path),
      );
      assert.ok(announced, `${d.method} ${d.path}: the changelog does not announce it on its day`);
    }
  });

  it('writes Deprecation as a structured-field date and Sunset as an HTTP date', () => {
    const at = new Date('2026-12-01T00:00:00Z');
    assert.equal(deprecationHeader(at), '@1796083200');
    assert.equal(sunsetHeader(new Date('2027-12-01T00:00:00Z')), 'Wed, 01 Dec 2027 00:00:00 GMT');
  });

  it('matches a request by method, path template and the parameters it uses', () => {
    const entry = (parameter?: string): Deprecation => ({
      method: 'GET',
      path: '/hostingproviders/{kvkNummer}',
      parameter,
      deprecatedAt: new Date('2026-12-01T00:00:00Z'),
      sunsetAt: new Date('2027-12-01T00:00:00Z'),
      instead: { nl: 'x', en: 'x' },
    });
    const whole = [entry()];
    assert.equal(deprecationsFor(whole, 'GET', '/hostingproviders/99990001', []).length, 1);
    assert.equal(deprecationsFor(whole, 'HEAD', '/hostingproviders/99990001', []).length, 1, 'HEAD is a GET');
    assert.equal(deprecationsFor(whole, 'POST', '/hostingproviders/99990001', []).length, 0);
    assert.equal(deprecationsFor(whole, 'GET', '/hostingproviders/99990001/statuswijzigingen', []).length, 0);
    assert.equal(deprecationsFor(whole, 'GET', '/hostingproviders', []).length, 0);
    const parameter = [entry('peildatum')];
    assert.equal(deprecationsFor(parameter, 'GET', '/hostingproviders/99990001', []).length, 0);
    assert.equal(deprecationsFor(parameter, 'GET', '/hostingproviders/99990001', ['peildatum']).length, 1);
  });
});
