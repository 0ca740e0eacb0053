import assert from 'node:assert/strict';
import type { Express } from 'express';
import fc from 'fast-check';
import request from 'supertest';
import { REGISTRATION_FIELDS } from '../../src/identity/account.dto';
import { type APPLICATION_FIELDS } from '../../src/application/application.dto';
import { Application } from '../../src/application/application.entity';
import { startApplication } from '../../src/application/application.service';
import { testApp, testConfig } from '../helpers/app';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { type Agent, signedIn, tokenFor } from '../helpers/session';
import { givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser, validVatNumber } from '../factories/user.factory';
import { must } from '../../src/shared/must';

const REGISTRATION_RUNS = 600;
const APPLICATION_RUNS = 500;

/** Values people and robots send: plausible ones, empty ones, huge ones, odd characters, repeated fields. */
const anyValue = (plausible: fc.Arbitrary<string>) =>
  fc.oneof(
    { weight: 16, arbitrary: plausible },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '',
        ' ',
        '\u0000',
        "'; DROP TABLE providers; --",
        '<script>alert(1)</script>',
        '{{t "x"}}',
        '../../etc/passwd',
        '%00',
        '\uFEFF',
        // Control characters and text-direction overrides: refused with a 400, never a 500.
        'Polder\u202Ewolk',
        'a\u0007b',
        '\u0085',
        '\u2066x\u2069',
        '9'.repeat(400),
      ),
    },
    { weight: 1, arbitrary: fc.string({ minLength: 300, maxLength: 3000 }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.string({ maxLength: 10 }), {
        minLength: 2,
        maxLength: 3,
      }) as unknown as fc.Arbitrary<string>,
    },
  );

const date = fc.oneof(
  fc
    .date({ min: new Date('1995-01-01'), max: new Date('2026-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc
    .date({ min: new Date('1980-01-01'), max: new Date('2040-01-01'), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  fc.constantFrom('2025-02-30', '2026-13-01', '31-12-2025', '2025-1-1', '0000-00-00', '2025-06-15T00:00:00Z'),
);

const registrationPayload = fc.record({
  legalName: anyValue(fc.constantFrom('Fuzz Hosting B.V.', 'Ω Hosting', 'A')),
  tradeNames: anyValue(fc.constantFrom('', 'Fuzz, FZ')),
  kvkNumber: anyValue(
    fc.oneof({ weight: 4, arbitrary: fc.stringMatching(/^[0-9]{8}$/) }, fc.stringMatching(/^[0-9]{7,9}$/)),
  ),
  vatNumber: anyValue(
    fc.oneof(
      { weight: 4, arbitrary: fc.constant('').map(() => validVatNumber()) },
      fc.stringMatching(/^NL[0-9]{9}B[0-9]{2}$/),
    ),
  ),
  streetAddress: anyValue(fc.constant('Fuzzweg 1')),
  postcode: anyValue(fc.stringMatching(/^[0-9]{4} ?[A-Za-z]{2}$/)),
  city: anyValue(fc.constant('Utrecht')),
  website: anyValue(fc.constantFrom('', 'https://fuzz.example', 'javascript:alert(1)', 'http://x')),
  abuseEmail: anyValue(
    fc.oneof({ weight: 3, arbitrary: fc.constant('abuse@fuzz.example') }, fc.emailAddress()),
  ),
  asNumbers: anyValue(fc.constantFrom('', 'AS1', 'AS4294967296', '1, 2, 3')),
  name: anyValue(fc.constant('Fuzz Persoon')),
  email: anyValue(
    fc.oneof({ weight: 3, arbitrary: fc.uuid().map((u) => `${u}@fuzz.example`) }, fc.emailAddress()),
  ),
  password: anyValue(
    fc.constantFrom('kort', 'password1234', ...Array<string>(6).fill('een lang genoeg wachtwoord 9')),
  ),
  passwordConfirmation: anyValue(
    fc.constantFrom('kort', ...Array<string>(6).fill('een lang genoeg wachtwoord 9')),
  ),
});

async function rowCounts(db: TestDatabase): Promise<string> {
  const [row] = await db.dataSource.query<{ p: string; u: string; a: string }[]>(
    `SELECT (SELECT count(*) FROM providers) AS p, (SELECT count(*) FROM users) AS u, (SELECT count(*) FROM audit_events) AS a`,
  );
  assert.ok(row, 'a SELECT without FROM gives one row');
  return `${row.p}/${row.u}/${row.a}`;
}

describe('generated bad input', () => {
  let db: TestDatabase;
  let app: Express;
  before(async () => {
    db = await createTestDatabase();
    app = testApp(db.dataSource).app;
  });
  after(() => db.drop());

  it(`${REGISTRATION_RUNS} generated registrations: never a 5xx, and a refused one stores nothing`, async function () {
    this.timeout(300_000);
    const statuses = new Map<number, number>();
    let agent: Agent = request.agent(app);
    let token = await tokenFor(agent, '/registreren');
    await fc.assert(
      fc.asyncProperty(registrationPayload, async (payload) => {
        const before = await rowCounts(db);
        const res = await agent
          .post('/registreren')
          .type('form')
          .send({ ...payload, _csrf: token });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.status < 500, `status ${res.status} for ${JSON.stringify(payload).slice(0, 500)}`);
        if (res.status === 303) {
          // Accepted: a new visitor for the next payload.
          agent = request.agent(app);
          token = await tokenFor(agent, '/registreren');
        } else {
          assert.equal(res.status, 400);
          assert.equal(await rowCounts(db), before, 'nothing stored from a refused registration');
        }
      }),
      { numRuns: REGISTRATION_RUNS, seed: 20261126 },
    );
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    if (process.env.FUZZ_REPORT)
      process.stdout.write(`      registration answers: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    assert.equal(total, REGISTRATION_RUNS);
    assert.ok(
      (statuses.get(400) ?? 0) > 0 && (statuses.get(303) ?? 0) > 0,
      `some refused, some accepted: ${JSON.stringify([...statuses])}`,
    );
  });

  it(`${APPLICATION_RUNS} generated application forms: never a 5xx, and a refused one changes nothing`, async function () {
    this.timeout(300_000);
    const provider = await givenProvider(db.dataSource);
    const version = await givenCodeVersion(db.dataSource);
    const who = await givenUser(db.dataSource, 'provider', { providerId: provider.id });
    const application = await startApplication(db.dataSource, who.user, testConfig, new Date());
    const agent = await signedIn(app, who);
    const token = await tokenFor(agent, `/aanvragen/${application.id}`);
    const payload = fc.record({
      version: anyValue(fc.constant('current')),
      codeOfConductVersionId: anyValue(fc.oneof(fc.constant(version.id), fc.uuid())),
      codeSignedOn: anyValue(date),
      signatoryName: anyValue(fc.constant('Piet Proef')),
      signatoryRole: anyValue(fc.constant('Directeur')),
      aanSince: anyValue(date),
      aanContactName: anyValue(fc.constant('Anna')),
      aanContactEmail: anyValue(fc.emailAddress()),
    } satisfies Record<(typeof APPLICATION_FIELDS)[number] | 'version', fc.Arbitrary<string>>);
    const repository = db.dataSource.getRepository(Application);
    let stored = 0;
    await fc.assert(
      fc.asyncProperty(payload, async (fields) => {
        const before = await repository.findOneByOrFail({ id: application.id });
        const body = {
          ...fields,
          _csrf: token,
          version: fields.version === 'current' ? String(before.version) : fields.version,
        };
        const res = await agent.post(`/aanvragen/${application.id}`).type('form').send(body);
        assert.ok(res.status < 500, `status ${res.status} for ${JSON.stringify(fields).slice(0, 500)}`);
        const after = await repository.findOneByOrFail({ id: application.id });
        if (res.status === 303) stored++;
        else assert.deepEqual(after, before, `a refused form (${res.status}) changed the application`);
      }),
      { numRuns: APPLICATION_RUNS, seed: 20261126 },
    );
    if (process.env.FUZZ_REPORT)
      process.stdout.write(`      application forms stored: ${stored} of ${APPLICATION_RUNS}\n`);
    assert.ok(stored > 0, 'some generated forms were valid and stored');
  });

  it('keeps the form fields the fuzzers send in step with the forms', () => {
    assert.deepEqual(
      Object.keys(must(fc.sample(registrationPayload, 1)[0], 'a sample of one')).sort(),
      [...REGISTRATION_FIELDS].sort(),
    );
  });
});
