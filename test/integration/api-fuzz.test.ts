import assert from 'node:assert/strict';
import fc from 'fast-check';
import { apiClient } from '../helpers/api';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';

/** How many generated bad requests the API gets; each one must be a 4xx problem, never a 5xx. */
const RUNS = 1_000;

interface BadRequest {
  kind: string;
  method: 'GET' | 'POST';
  url: string;
  body?: string;
  /** The statuses that are right for this kind of bad input. */
  expected: number[];
}

const kvk = fc.stringMatching(/^[0-9]{8}$/);
const validBody = fc.record({
  peildatum: fc.constant('2026-01-15'),
  kvkNummers: fc.array(kvk, { maxLength: 5 }),
});

/** Text that is not JSON: a valid body cut short, or with a character put where it breaks. */
const brokenJson: fc.Arbitrary<BadRequest> = fc
  .tuple(validBody, fc.nat(), fc.constantFrom('{', '}', ',', ':', '"', '[', "'", 'x', '\\', '\u0000'))
  .map(([body, at, char]) => {
    const text = JSON.stringify(body);
    const cut = at % text.length;
    return at % 2 === 0 ? text.slice(0, cut) : `${text.slice(0, cut)}${char}${char}${text.slice(cut)}`;
  })
  .filter((text) => {
    try {
      JSON.parse(text);
      return false;
    } catch {
      return true;
    }
  })
  .map((body) => ({ kind: 'broken JSON', method: 'POST', url: '/api/v1/controles', body, expected: [400] }));

/** JSON of the wrong shape: any value where a list of strings or a date string belongs. */
const notAStringList = fc
  .anything()
  .filter(
    (v) => !(Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string' && x.length <= 20)),
  );
const wrongTypes: fc.Arbitrary<BadRequest> = fc
  .oneof(
    notAStringList.map((kvkNummers) => ({ kvkNummers })),
    fc
      .tuple(
        fc.anything().filter((v) => typeof v !== 'string' && v !== undefined),
        kvk,
      )
      .map(([peildatum, k]) => ({
        peildatum,
        kvkNummers: [k],
      })),
    fc.anything().filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)),
  )
  .map((body) => ({
    kind: 'wrong types',
    method: 'POST',
    url: '/api/v1/controles',
    body: JSON.stringify(body),
    expected: [400],
  }));

const hugeArrays: fc.Arbitrary<BadRequest> = fc
  .tuple(fc.integer({ min: 10_001, max: 20_000 }), kvk)
  .map(([length, k]) => ({
    kind: 'huge arrays',
    method: 'POST',
    url: '/api/v1/controles',
    body: JSON.stringify({ kvkNummers: Array.from({ length }, () => k) }),
    expected: [400],
  }));

const unknownFields: fc.Arbitrary<BadRequest> = fc
  .tuple(
    validBody,
    fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !['peildatum', 'kvkNummers'].includes(k)),
    fc.jsonValue(),
  )
  .map(([body, key, value]) => ({
    kind: 'unknown fields',
    method: 'POST',
    url: '/api/v1/controles',
    body: JSON.stringify({ ...body, kvkNummers: [...body.kvkNummers, '99990001'], [key]: value }),
    expected: [400],
  }));

/** Dates that do not exist or are not YYYY-MM-DD, in the query and in a body. */
const impossibleDate = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 1990, max: 2100 }),
      fc.integer({ min: 13, max: 99 }),
      fc.integer({ min: 1, max: 28 }),
    )
    .map(([y, m, d]) => `${y}-${m}-${String(d).padStart(2, '0')}`),
  fc
    .tuple(
      fc.integer({ min: 1990, max: 2025 }),
      fc.constantFrom('02-30', '02-31', '04-31', '06-31', '09-31', '11-31', '00-10', '01-00', '01-32'),
    )
    .map(([y, md]) => `${y}-${md}`),
  fc.integer({ min: 0, max: 1989 }).map((y) => `${String(y).padStart(4, '0')}-06-15`),
  fc.integer({ min: 2100, max: 9999 }).map((y) => `${y}-01-01`),
  fc.constantFrom(
    '2025-2-29',
    '2025-02-29',
    '20260115',
    '15-01-2026',
    '2026-01-15T00:00:00Z',
    'gisteren',
    '',
    ' ',
  ),
  fc.string({ maxLength: 20 }).filter((s) => !/^\d{4}-\d{2}-\d{2}$/.test(s)),
);
const impossibleDates: fc.Arbitrary<BadRequest> = fc
  .tuple(impossibleDate, fc.boolean())
  .map(([date, inQuery]) =>
    inQuery
      ? {
          kind: 'impossible dates',
          method: 'GET',
          url: `/api/v1/hostingproviders/${demoKvkOf('Polderwolk')}?peildatum=${encodeURIComponent(date)}`,
          expected: [400],
        }
      : {
          kind: 'impossible dates',
          method: 'POST',
          url: '/api/v1/controles',
          body: JSON.stringify({ peildatum: date, kvkNummers: ['99990001'] }),
          expected: [400],
        },
  );

/** Odd characters in the path: anything that is not an 8-digit KvK number, encoded as a client would. */
const oddSegment = fc.oneof(
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map(encodeURIComponent),
  fc.constantFrom('%', '%zz', '%E0%A4%A', '..', '%2e%2e', '%00', '9999999', '999999999', '9999-9999', 'ÿ'),
);
const oddPaths: fc.Arbitrary<BadRequest> = fc
  .tuple(oddSegment, fc.constantFrom('', '/statuswijzigingen', '/x', '/statuswijzigingen/x'))
  .filter(([segment]) => !/^[0-9]{8}$/.test(decodeURIComponentOr(segment)))
  .map(([segment, rest]) => ({
    kind: 'odd characters in paths',
    method: 'GET',
    url: `/api/v1/hostingproviders/${segment}${rest}`,
    expected: [400, 404],
  }));

/** Query parameters that do not exist, or values that are out of range. */
const badQueries: fc.Arbitrary<BadRequest> = fc
  .oneof(
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ maxLength: 20 }))
      .filter(([k]) => !['zoekterm', 'status', 'sorteer', 'pagina', 'paginaGrootte'].includes(k))
      .map(([k, v]) => new URLSearchParams([[k, v]])),
    fc
      .oneof(
        fc.integer({ max: 0 }),
        fc.integer({ min: 100_001 }),
        fc.string().filter((s) => !/^[0-9]+$/.test(s)),
      )
      .map((v) => new URLSearchParams([['pagina', String(v)]])),
    fc
      .oneof(fc.integer({ max: 0 }), fc.integer({ min: 101 }))
      .map((v) => new URLSearchParams([['paginaGrootte', String(v)]])),
    fc.string({ minLength: 201, maxLength: 400 }).map((v) => new URLSearchParams([['zoekterm', v]])),
    fc.string({ maxLength: 20 }).map((v) => new URLSearchParams([['status', `x${v}`]])),
  )
  .map((params) => ({
    kind: 'bad query parameters',
    method: 'GET',
    url: `/api/v1/hostingproviders?${params.toString()}`,
    expected: [400],
  }));

function decodeURIComponentOr(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

describe('generated bad input to the API', () => {
  const demo = useDemoRegister();

  it(`answers ${RUNS} malformed requests with a 400 or 404 problem, never a 5xx`, async function () {
    this.timeout(180_000);
    const api = apiClient(demo.app);
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(brokenJson, wrongTypes, hugeArrays, unknownFields, impossibleDates, oddPaths, badQueries),
        async (bad) => {
          // apiClient checks every answer against the OpenAPI document: problem+json, schema, API-Version.
          const res = bad.method === 'GET' ? await api.get(bad.url) : await api.post(bad.url, bad.body);
          assert.ok(
            bad.expected.includes(res.status),
            `${bad.kind}: ${bad.method} ${bad.url} ${String(bad.body).slice(0, 120)} → ${res.status}`,
          );
          seen.set(bad.kind, (seen.get(bad.kind) ?? 0) + 1);
        },
      ),
      { numRuns: RUNS, seed: 20261126, endOnFailure: true },
    );
    assert.equal(
      [...seen.values()].reduce((a, b) => a + b, 0),
      RUNS,
    );
    for (const [kind, count] of seen) assert.ok(count >= 100, `${kind}: only ${count} runs`);
  });
});
