import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { signCheckpointIfDue } from '../../src/transparency/checkpoint.service';
import { givenApproval, givenCodeVersion, givenProvider, uniqueKvk } from '../factories/provider.factory';
import { givenIssuedAttestation, useTestApp } from '../helpers/app';
import { testSigner } from '../helpers/database';
import { appRoutes } from '../helpers/routes';
import { tokenFor } from '../helpers/session';

/*
 * Issue 17: an organisation whose identity nobody confirmed (registered without eHerkenning, no KvK
 * extract checked) is in no public output. Beside a confirmed provider with the same history, it
 * gets a listing, an attestation and status changes; then every public output of the register is
 * asked for both. Its name, trade name and KvK number appear in none (where the visitor typed the
 * number, the answer is the one for a number nobody registered), while the confirmed one's do.
 * The outputs are read from the app's own route table: a public route this test does not know
 * fails it, so a new output cannot be forgotten.
 */

/**
 * Signed-in areas: access.test.ts proves an anonymous visitor is sent to the login page there. A
 * buyer's watch lists (/inkoop) show an unconfirmed provider as an unknown number: watch-lists.test.ts.
 * A signal supplier's signals (/signalen, issue 19) name a provider only when it shared a match.
 */
const SIGNED_IN_AREAS = ['/account', '/aanvragen', '/beoordeling', '/beheer', '/inkoop', '/signalen'];

/** Public routes that show no provider data, each with why. */
const NO_PROVIDER_DATA: Record<string, string> = {
  'GET /healthz': 'liveness: a fixed answer',
  'GET /readyz': 'readiness: a fixed answer',
  'GET /assets/nlds/design-tokens.css': 'a stylesheet',
  'GET /assets/nlds/components.css': 'a stylesheet',
  'GET /assets/css/origin.css': "a stylesheet with the register's own address",
  'GET /toegankelijkheid': 'the accessibility statement: fixed text',
  'GET /privacy': 'the privacy statement: fixed text and the contact address',
  'GET /api-documentatie': "the API's documentation: fixed text and examples",
  'GET /api/v1/': "the API's root: links only",
  'GET /api/v1/openapi.json': 'the OpenAPI document: fixed, with made-up examples',
  'GET /inloggen': 'the login form',
  'POST /inloggen': 'a login: answers about an account, never a provider',
  'GET /inloggen/tweestaps': 'the second-factor form',
  'POST /inloggen/tweestaps': 'a second factor: answers about an account',
  'POST /uitloggen': 'logging out',
  'GET /wachtwoord-vergeten': 'the form for a reset link',
  'POST /wachtwoord-vergeten': 'asks for a reset link: the same answer for any address',
  'GET /wachtwoord-herstellen/:token': "a reset link's form: the account's, no provider",
  'POST /wachtwoord-herstellen/:token': 'sets a password',
  'GET /uitnodiging/:token': "an invitation's form (only after a reviewer confirmed the organisation)",
  'POST /uitnodiging/:token': 'accepts an invitation',
  'GET /registreren': 'the registration form',
  'GET /inkopers/registreren': "a buyer's registration form: the allowed e-mail domains",
  'POST /inkopers/registreren': "a buyer's registration: answers about an address, never a provider",
  'POST /registreren': 'a registration: refuses a number registered already, as the claim form explains',
  'POST /transparantie/cosignaturen':
    "a witness's cosignature: takes a checkpoint, answers nothing of providers",
  'GET /e-mailadres-bevestigen': 'fixed text: check your mail',
  'GET /e-mailadres-bevestigen/:token': "an account's confirmation form: names no provider",
  'POST /e-mailadres-bevestigen/:token':
    'confirms an address, or makes a pending registration: names only what the link’s holder registered',
  'GET /registreren/claim': 'the claim form',
  'POST /registreren/claim': 'a claim: the same answer whatever the number (a redirect to the page below)',
  'GET /registreren/claim/verstuurd': 'fixed text: check your mail',
  'GET /registreren/claim/bevestigen/:token': "a claim's confirmation form: no provider data",
  'POST /registreren/claim/bevestigen/:token': 'confirms a claim: the same page whatever the number',
  'GET /verificatie': 'the form to verify an attestation (its answers are checked below)',
  'GET /controleren/lijst': 'the bulk check form (its answers are checked below)',
  'GET /inloggen/eherkenning': 'starts an eHerkenning login: a redirect to the broker',
  'GET /inloggen/eherkenning/terug':
    "the broker's callback: a refusal, or a redirect to a form; names a provider to nobody but its own eHerkenning login",
  'GET /inloggen/eherkenning/organisatie':
    'the form for a number without an organisation: only the number of the login',
  'POST /inloggen/eherkenning/organisatie': 'registers that number: refused when it has an organisation',
  'GET /inloggen/eherkenning/aansluiten':
    'names the organisation only to a person who logged in with eHerkenning for its own KvK number (the real owner)',
  'POST /inloggen/eherkenning/aansluiten': "joins or takes over the organisation of the login's own number",
  'GET /api/v1/webhook-abonnementen/':
    "a buyer organisation's subscriptions, with its API key (401 without): URLs and settings, no provider data",
  'POST /api/v1/webhook-abonnementen/':
    'makes a subscription, with an API key: answers the subscription only',
  'GET /api/v1/webhook-abonnementen/:id': 'one subscription of the key’s organisation: no provider data',
  'PATCH /api/v1/webhook-abonnementen/:id': 'turns a subscription on again: answers the subscription only',
  'DELETE /api/v1/webhook-abonnementen/:id': 'removes a subscription: no body',
  'GET /api/v1/webhook-abonnementen/:id/afleveringen':
    'the delivery log (times, HTTP statuses, errors and event numbers): no provider data; events are written only for confirmed providers a list watches',
  'GET /api/v1/signalen/':
    "a signal supplier's own signals, with its API key (401 without): aggregate figures; a provider is named only when it shared its match",
  'POST /api/v1/signalen/':
    'records a signal, with a signal supplier’s API key: answers the signal’s number and dates only',
  'GET /api/v1/signalen/:id':
    'one signal of the key’s organisation: its own content and figures; a provider is named only when it shared its match',
  'DELETE /api/v1/signalen/:id': 'withdraws a signal: no body',
};

/** The API answers other methods with 405 and OPTIONS with its CORS headers: no data. */
const NO_DATA_METHODS = ['ALL', 'OPTIONS', 'HEAD'];

interface Party {
  kvk: string;
  name: string;
  tradeName: string;
  attestation: string;
  pdf: Buffer;
}

describe('an organisation whose identity is not confirmed is in no public output', function () {
  this.timeout(180_000);
  const context = useTestApp();
  let shown: Party;
  let hidden: Party;
  /** A number nobody registered: what the register says of an unknown number. */
  const nobody = uniqueKvk();

  const party = async (confirmed: boolean): Promise<Party> => {
    const kvk = uniqueKvk();
    const name = confirmed ? `Zichtbaar Hosting ${kvk} B.V.` : `Spookhosting Onzichtbaar ${kvk} B.V.`;
    const tradeName = confirmed ? `Heldere Wolk ${kvk}` : `Schimmige Wolk ${kvk}`;
    const db = context.db.dataSource;
    const provider = await givenProvider(
      db,
      { kvkNumber: kvk, legalName: name, tradeNames: [tradeName] },
      { unconfirmed: !confirmed },
    );
    const version = await givenCodeVersion(db);
    await givenApproval(db, provider, version, new Date(Date.now() - 30 * 86_400_000));
    const attestation = await givenIssuedAttestation(db, provider.id);
    const [row] = await db.query<{ pdf: Buffer }[]>('SELECT pdf FROM attestations WHERE number = $1', [
      attestation.number,
    ]);
    return { kvk, name, tradeName, attestation: attestation.number, pdf: row!.pdf };
  };

  before(async () => {
    shown = await party(true);
    hidden = await party(false);
    await signCheckpointIfDue(context.db.dataSource, testSigner(context.db.dataSource), new Date(), {
      intervalSeconds: 0,
    });
  });

  /** The text of an answer: HTML, JSON, CSV, Atom or a log tile as text; an .xlsx workbook's cells. */
  const textOf = async (res: request.Response): Promise<string> => {
    const type = String(res.headers['content-type'] ?? '');
    if (type.includes('spreadsheetml')) {
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(res.body as ArrayBuffer);
      const cells: string[] = [];
      workbook.eachSheet((sheet) =>
        sheet.eachRow((row) => row.eachCell((cell) => cells.push(String(cell.text)))),
      );
      return cells.join('\n');
    }
    if (Buffer.isBuffer(res.body)) return res.body.toString('utf8');
    return res.text ?? JSON.stringify(res.body);
  };

  const binary = (req: request.Test) =>
    req.buffer(true).parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });

  const get = async (url: string) => {
    const res = await binary(request(context.app).get(url));
    assert.ok(res.status < 500, `GET ${url} answered ${res.status}`);
    return { status: res.status, text: await textOf(res) };
  };

  /** Neither the hidden party's name, trade name nor (unless the visitor typed it) its number. */
  const assertAbsent = (what: string, text: string, options: { typedNumber?: boolean } = {}) => {
    for (const secret of [hidden.name, hidden.tradeName, 'Spookhosting', 'Schimmige'])
      assert.ok(!text.includes(secret), `${what} shows ${secret}`);
    if (!options.typedNumber) assert.ok(!text.includes(hidden.kvk), `${what} shows ${hidden.kvk}`);
  };
  /** The same where the visitor typed `q`: what they typed may come back, nothing else of the hidden one. */
  const assertAbsentBut = (what: string, text: string, q: string) => {
    for (const secret of [hidden.name, hidden.tradeName, hidden.kvk])
      if (!q.includes(secret) && !secret.includes(q))
        assert.ok(!text.includes(secret), `${what} shows ${secret}`);
  };
  /** What a visitor might search the hidden one by. */
  const SEARCHES = () => [
    hidden.name,
    hidden.tradeName,
    hidden.kvk,
    'Spookhosting',
    'Schimmige Wolk',
    'Onzichtbaar',
  ];
  const assertPresent = (what: string, text: string, fields: (keyof Party)[] = ['name', 'kvk']) => {
    for (const field of fields) assert.ok(text.includes(String(shown[field])), `${what} lacks ${field}`);
  };

  /**
   * The answer about the hidden party's number is the answer about a number nobody registered
   * (each number written as N): the register says nothing it would not say of any number.
   */
  const sameAsUnknown = async (url: (kvk: string) => string) => {
    const hiddenAnswer = await get(url(hidden.kvk));
    const unknownAnswer = await get(url(nobody));
    assertAbsent(url(hidden.kvk), hiddenAnswer.text, { typedNumber: true });
    const normal = (text: string, kvk: string) =>
      text
        .replaceAll(kvk, 'N')
        .replace(/name="_csrf" value="[^"]+"/g, '')
        .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, 'ID')
        .replace(/\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:\d{2})/g, 'T')
        .replace(/<time[^>]*>[^<]*<\/time>/g, '')
        .replace(/\b\d{1,2}:\d{2}(:\d{2})?\b/g, 'HH:MM');
    assert.equal(hiddenAnswer.status, unknownAnswer.status, url(hidden.kvk));
    assert.equal(normal(hiddenAnswer.text, hidden.kvk), normal(unknownAnswer.text, nobody), url(hidden.kvk));
  };

  /** Every covered route, with what it is asked and what it must show. */
  const COVERED: Record<string, () => Promise<void>> = {
    'GET /': async () => assertAbsent('/', (await get('/')).text),
    'GET /hostingproviders': async () => {
      const list = (await get('/hostingproviders')).text;
      assertAbsent('the register', list);
      assertPresent('the register', list);
      for (const q of SEARCHES()) {
        const url = `/hostingproviders?q=${encodeURIComponent(q)}`;
        const res = await get(url);
        assert.ok(!res.text.includes(`href="/hostingproviders/${hidden.kvk}"`), url);
        assertAbsentBut(url, res.text, q);
      }
      for (const q of [shown.name, shown.kvk]) {
        const url = `/hostingproviders?q=${encodeURIComponent(q)}`;
        assert.ok((await get(url)).text.includes(`href="/hostingproviders/${shown.kvk}"`), url);
      }
    },
    'GET /hostingproviders/:kvkNumber': async () => {
      assertPresent('the provider page', (await get(`/hostingproviders/${shown.kvk}`)).text);
      await sameAsUnknown((kvk) => `/hostingproviders/${kvk}`);
    },
    'GET /controleren': async () => {
      const day = new Date().toISOString().slice(0, 10);
      assertPresent('check', (await get(`/controleren?kvkNummer=${shown.kvk}`)).text, ['name']);
      await sameAsUnknown((kvk) => `/controleren?kvkNummer=${kvk}`);
      await sameAsUnknown((kvk) => `/controleren?kvkNummer=${kvk}&peildatum=${day}`);
    },
    'POST /controleren/lijst': async () => {
      const agent = request.agent(context.app);
      const list = `kvk\n${shown.kvk}\n${hidden.kvk}\n`;
      for (const formaat of ['html', 'csv', 'xlsx']) {
        const token = await tokenFor(agent, '/controleren/lijst');
        const res = await binary(
          agent
            .post('/controleren/lijst')
            .field('_csrf', token)
            .field('nummers', list)
            .field('formaat', formaat),
        );
        assert.equal(res.status, 200, `bulk check as ${formaat}`);
        const text = await textOf(res);
        assertAbsent(`bulk check as ${formaat}`, text, { typedNumber: true });
        assertPresent(`bulk check as ${formaat}`, text, ['name']);
      }
    },
    'GET /verificatie/:nummer': async () => {
      assertPresent('verification', (await get(`/verificatie/${shown.attestation}`)).text, ['name']);
      const res = await get(`/verificatie/${hidden.attestation}`);
      assert.equal(res.status, 404);
      assertAbsent('verification', res.text);
    },
    'GET /verificatie/:nummer/pdf': async () => {
      assert.equal((await get(`/verificatie/${shown.attestation}/pdf`)).status, 200);
      const res = await get(`/verificatie/${hidden.attestation}/pdf`);
      assert.equal(res.status, 404);
      assertAbsent('the PDF', res.text);
    },
    'GET /verificatie/:nummer/bewijs': async () => {
      const res = await get(`/verificatie/${hidden.attestation}/bewijs`);
      assert.equal(res.status, 404);
      assertAbsent('the proof', res.text);
    },
    'POST /verificatie': async () => {
      const agent = request.agent(context.app);
      for (const [who, expect] of [
        [shown, true],
        [hidden, false],
      ] as const) {
        const token = await tokenFor(agent, '/verificatie');
        const res = await agent
          .post('/verificatie')
          .field('_csrf', token)
          .attach('pdf', who.pdf, { filename: 'verklaring.pdf', contentType: 'application/pdf' });
        assert.equal(res.status, 200);
        if (expect) assertPresent('an uploaded attestation', res.text, ['name']);
        else assertAbsent('an uploaded attestation', res.text);
      }
    },
    'GET /api/v1/hostingproviders': async () => {
      const list = (await get('/api/v1/hostingproviders?paginaGrootte=100')).text;
      assertAbsent('the API list', list);
      assertPresent('the API list', list);
      for (const q of SEARCHES()) {
        const url = `/api/v1/hostingproviders?zoekterm=${encodeURIComponent(q)}`;
        const res = await get(url);
        assert.equal(res.status, 200, url);
        const { hostingproviders } = JSON.parse(res.text) as { hostingproviders: { kvkNummer: string }[] };
        assert.ok(!hostingproviders.some((p) => p.kvkNummer === hidden.kvk), url);
        assertAbsentBut(url, res.text, q);
      }
      const found = await get(`/api/v1/hostingproviders?zoekterm=${shown.kvk}`);
      assertPresent('the API search', found.text);
    },
    'GET /api/v1/hostingproviders/:kvkNummer': async () => {
      assertPresent('the API detail', (await get(`/api/v1/hostingproviders/${shown.kvk}`)).text);
      await sameAsUnknown((kvk) => `/api/v1/hostingproviders/${kvk}`);
    },
    'GET /api/v1/hostingproviders/:kvkNummer/statuswijzigingen': async () => {
      assertPresent(
        'the API history',
        (await get(`/api/v1/hostingproviders/${shown.kvk}/statuswijzigingen`)).text,
        ['kvk'],
      );
      await sameAsUnknown((kvk) => `/api/v1/hostingproviders/${kvk}/statuswijzigingen`);
    },
    'GET /api/v1/statuswijzigingen': async () => {
      const text = (await get('/api/v1/statuswijzigingen')).text;
      assertAbsent('the API changes', text);
      assertPresent('the API changes', text, ['kvk']);
    },
    'GET /api/v1/verklaringen/:nummer': async () => {
      assertPresent('the API verification', (await get(`/api/v1/verklaringen/${shown.attestation}`)).text, [
        'kvk',
      ]);
      const res = await get(`/api/v1/verklaringen/${hidden.attestation}`);
      assert.equal(res.status, 404);
      assertAbsent('the API verification', res.text);
    },
    'POST /api/v1/controles': async () => {
      const res = await request(context.app)
        .post('/api/v1/controles')
        .set('Content-Type', 'application/json')
        .send({ kvkNummers: [shown.kvk, hidden.kvk, nobody] });
      assert.equal(res.status, 200);
      assertAbsent('the API bulk check', res.text, { typedNumber: true });
      assertPresent('the API bulk check', res.text, ['kvk']);
      const answers = (res.body as { resultaten: Record<string, unknown>[] }).resultaten;
      const strip = (kvk: string) =>
        JSON.stringify({ ...answers.find((a) => JSON.stringify(a).includes(kvk)), positie: 0 }).replaceAll(
          kvk,
          'N',
        );
      assert.equal(strip(hidden.kvk), strip(nobody), 'the hidden number reads as unknown');
    },
    'GET /open-data': async () => assertAbsent('open data', (await get('/open-data')).text),
    'GET /open-data/hostingproviders.csv': async () => {
      const text = (await get('/open-data/hostingproviders.csv')).text;
      assertAbsent('open data CSV', text);
      assertPresent('open data CSV', text);
    },
    'GET /open-data/hostingproviders.json': async () => {
      const text = (await get('/open-data/hostingproviders.json')).text;
      assertAbsent('open data JSON', text);
      assertPresent('open data JSON', text);
    },
    'GET /open-data/statuswijzigingen.atom': async () => {
      const text = (await get('/open-data/statuswijzigingen.atom')).text;
      assertAbsent('the Atom feed', text);
      assertPresent('the Atom feed', text);
    },
    'GET /open-data/statuswijzigingen/archief/:pagina.atom': async () => {
      for (const page of [1, 2])
        assertAbsent(
          `archive ${page}`,
          (await get(`/open-data/statuswijzigingen/archief/${page}.atom`)).text,
        );
    },
    'GET /open-data/checkpoints.json': async () =>
      assertAbsent('checkpoints', (await get('/open-data/checkpoints.json')).text),
    'GET /transparantie': async () => assertAbsent('transparency', (await get('/transparantie')).text),
    'GET /transparantie/checkpoints': async () =>
      assertAbsent('checkpoints page', (await get('/transparantie/checkpoints')).text),
    'GET /transparantie/checkpoint': async () =>
      assertAbsent('checkpoint', (await get('/transparantie/checkpoint')).text),
    'GET /transparantie/sleutel': async () => assertAbsent('key', (await get('/transparantie/sleutel')).text),
    'GET /transparantie/tile/*tile': async () => {
      // Every entry of the log (the leaves: an event's header and its public fields only).
      const checkpoint = (await get('/transparantie/checkpoint')).text;
      const size = Number(checkpoint.split('\n')[1]);
      assert.ok(size > 0, 'a checkpoint was signed');
      const path = (index: number) => {
        const digits = String(index).padStart(3, '0');
        const groups = digits.padStart(Math.ceil(digits.length / 3) * 3, '0').match(/\d{3}/g)!;
        return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
      };
      for (let tile = 0; tile * 256 < size; tile++) {
        const width = Math.min(256, size - tile * 256);
        const url = `/transparantie/tile/entries/${path(tile)}${width < 256 ? `.p/${width}` : ''}`;
        const res = await get(url);
        assert.equal(res.status, 200, url);
        assertAbsent(url, res.text);
      }
    },
  };
  // The same handler reached under several paths.
  COVERED['GET /transparantie/checkpoint,/transparantie/sleutel,/transparantie/tile/*tile'] = async () => {
    await COVERED['GET /transparantie/checkpoint']!();
    await COVERED['GET /transparantie/sleutel']!();
  };

  it('knows every public route of the app: each is asked below or shows no provider data', () => {
    const unknown = appRoutes(context.app).filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      if (NO_DATA_METHODS.includes(method)) return false;
      if (SIGNED_IN_AREAS.some((area) => path === area || path.startsWith(`${area}/`))) return false;
      return !(route in COVERED) && !(route in NO_PROVIDER_DATA);
    });
    assert.deepEqual(unknown, [], 'add these routes to COVERED (ask them) or NO_PROVIDER_DATA (say why)');
  });

  for (const [route, check] of Object.entries(COVERED))
    it(`${route}: the unconfirmed one is absent, the confirmed one is shown`, async () => {
      await check();
    });
});
