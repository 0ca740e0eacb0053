import assert from 'node:assert/strict';
import ExcelJS from 'exceljs';
import request from 'supertest';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, signedIn, submitForm } from '../helpers/session';
import { givenUser, type TestUser } from '../factories/user.factory';
import { givenProvider } from '../factories/provider.factory';
import {
  givenReferencedMatch,
  givenSignal,
  givenSignalSupplier,
  testSignalKeys,
} from '../factories/signal.factory';
import { identifierMac } from '../../src/signals/reseller-identifiers';
import { addDays, toLocalDate } from '../../src/shared/time';

/** The Dutch date `days` days before today. */
const daysAgo = (days: number) => toLocalDate(addDays(new Date(), -days));

/** A signal form with everything empty but what is given. */
const form = (fields: Record<string, string>) => ({
  kvkNumbers: '',
  names: '',
  domains: '',
  mailDomains: '',
  ipRanges: '',
  asNumbers: '',
  category: 'phishing',
  confidence: 'high',
  observedOn: '',
  expiresOn: '',
  text: '',
  ...fields,
});

describe('signals of a signal supplier (issue 19)', () => {
  const context = useTestApp();
  let supplierA: { id: string; name: string };
  let personA: TestUser;
  let agentA: Agent;
  let agentB: Agent;

  before(async () => {
    supplierA = await givenSignalSupplier(context.db.dataSource);
    personA = await givenUser(context.db.dataSource, 'signal_supplier', { signalSupplierId: supplierA.id });
    agentA = await signedIn(context.app, personA);
    agentB = await signedIn(context.app, await givenUser(context.db.dataSource, 'signal_supplier'));
  });

  const q = <T>(sql: string, params: unknown[] = []) => context.db.dataSource.query<T[]>(sql, params);
  const newSignal = (fields: Record<string, string>) =>
    submitForm(agentA, '/signalen/nieuw', '/signalen/nieuw', form(fields));
  const signalByNumber = async (reference: string) =>
    (
      await q<{ id: string; sealed: string }>(`SELECT id, sealed FROM signals WHERE number = $1`, [
        Number(reference.slice(4)),
      ])
    )[0]!;
  const readsOf = async (signalId: string) =>
    (
      await q<{ n: number }>(
        `SELECT count(*)::int AS n FROM audit_events WHERE action = 'signal.read' AND subject_id = $1`,
        [signalId],
      )
    )[0]!.n;

  describe('POST /signalen/nieuw', () => {
    it('stores a signal sealed, its exact identifiers as HMACs only, and audits it without content', async () => {
      const res = await newSignal({
        kvkNumbers: '12345678',
        names: 'Boeven Hosting BV\nBH Reseller',
        domains: 'https://WWW.Boeven-Hosting.example/pad',
        mailDomains: 'abuse@boeven-mail.example',
        ipRanges: '192.0.2.7/24',
        asNumbers: 'AS64496',
        text: 'Verhuurt servers aan een ransomwaregroep.\nZie zaak 2026-117.',
      });
      assert.equal(res.status, 303);
      const reference = /toegevoegd=(SIG-\d{6})/.exec(res.headers.location as string)?.[1];
      assert.ok(reference, res.headers.location);
      const row = await signalByNumber(reference);
      const content = testSignalKeys.open(row.sealed);
      assert.deepEqual(content.identity, {
        kvkNumbers: ['12345678'],
        names: ['Boeven Hosting BV', 'BH Reseller'],
        domains: ['boeven-hosting.example'],
        mailDomains: ['boeven-mail.example'],
        ipRanges: ['192.0.2.0/24'],
        asNumbers: [64496],
      });
      assert.equal(content.text, 'Verhuurt servers aan een ransomwaregroep.\nZie zaak 2026-117.');
      // At rest: the signal's row and its audit events hold none of the identifiers or the text.
      const secrets = ['12345678', 'Boeven', 'boeven', '192.0.2', '64496', 'ransomwaregroep'];
      const [whole] = await q<{ text: string }>(
        `SELECT row_to_json(s)::text AS text FROM signals s WHERE id = $1`,
        [row.id],
      );
      const audit = await q<{ text: string }>(
        `SELECT coalesce(string_agg(row_to_json(e)::text, ' '), '') AS text FROM audit_events e WHERE subject_id = $1`,
        [row.id],
      );
      for (const secret of secrets) {
        assert.ok(!whole!.text.includes(secret), `the row holds ${secret}`);
        assert.ok(!audit[0]!.text.includes(secret), `the audit holds ${secret}`);
      }
      assert.match(audit[0]!.text, /signal\.created/);
      const macs = await q<{ kind: string; mac: string }>(
        `SELECT kind, mac FROM signal_identifiers WHERE signal_id = $1 ORDER BY kind, mac`,
        [row.id],
      );
      assert.deepEqual(macs.map((m) => m.kind).sort(), ['as_number', 'domain', 'kvk', 'mail_domain']);
      assert.ok(macs.some((m) => m.mac === identifierMac(testSignalKeys.macKey, 'kvk', '12345678')));
      // Dates: today, and a year later by default.
      const [dates] = await q<{ observed: string; expires: string; source: string }>(
        `SELECT observed_on::text AS observed, expires_on::text AS expires, source FROM signals WHERE id = $1`,
        [row.id],
      );
      assert.equal(dates!.source, 'form');
      assert.equal(Number(dates!.expires.slice(0, 4)), Number(dates!.observed.slice(0, 4)) + 1);
    });

    it('names each wrong line and why, keeps everything typed, and stores nothing', async () => {
      const before = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals`))[0]!.n;
      const res = await newSignal({
        kvkNumbers: '12345678\n1234',
        domains: 'goed.example\n\nniet goed',
        ipRanges: '10.0.0.0/4',
        text: 'Tekst die blijft',
        category: 'geen',
      });
      assert.equal(res.status, 400);
      assert.match(
        res.text,
        /data-line-problems="kvkNumbers">\s*<li[^>]*data-line="2">Regel 2 \(&quot;1234&quot;\): dit is geen KvK-nummer/,
      );
      assert.match(
        res.text,
        /data-line-problems="domains">\s*<li[^>]*data-line="3">Regel 3 \(&quot;niet goed&quot;\): dit is geen domeinnaam/,
      );
      assert.match(res.text, /data-line="1">Regel 1 \(&quot;10\.0\.0\.0\/4&quot;\): dit bereik is te groot/);
      assert.match(res.text, /kies een categorie uit de lijst/);
      assert.ok(res.text.includes('>12345678\n1234</textarea>'));
      assert.ok(res.text.includes('Tekst die blijft'));
      await assertValidHtml(res.text, 'signal form with errors');
      const after = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals`))[0]!.n;
      assert.equal(after, before);
    });

    for (const [name, fields, message] of [
      ['no identifier at all', { text: 'alleen tekst' }, /vul minstens één kenmerk in/],
      [
        'an expiry before the date',
        { domains: 'a.example', observedOn: '2026-01-10', expiresOn: '2026-01-09' },
        /vóór de datum/,
      ],
      [
        'an expiry more than two years on',
        { domains: 'a.example', observedOn: '2026-01-10', expiresOn: '2028-01-11' },
        /meer dan twee jaar/,
      ],
      ['a date that is no date', { domains: 'a.example', observedOn: '31-02-2026' }, /vul een datum in/],
      // F2: a signal stored already expired never matches; 1900 is a typing error.
      ['a date in 1900', { domains: 'a.example', observedOn: '1900-12-01' }, /meer dan twee jaar terug/],
      [
        'an expiry today',
        { domains: 'a.example', observedOn: daysAgo(40), expiresOn: daysAgo(0) },
        /verloopdatum ligt vandaag of eerder/,
      ],
      [
        'a date whose default expiry (a year on) has passed',
        { domains: 'a.example', observedOn: daysAgo(400) },
        /verloopdatum ligt vandaag of eerder/,
      ],
      // F7: a public mail service names no one.
      [
        'a gmail address as mail domain',
        { mailDomains: 'evil.guy@gmail.com' },
        /openbare maildienst; die noemt niemand/,
      ],
      [
        'text with a text-direction mark',
        { domains: 'a.example', text: 'abc\u202Edef' },
        /“Toelichting” bevat een onzichtbaar stuurteken/,
      ],
      [
        'text over 2000 characters',
        { domains: 'a.example', text: 'x'.repeat(2001) },
        /langer dan 2000 tekens/,
      ],
    ] as const)
      it(`refuses ${name} with a clear message`, async () => {
        const res = await newSignal(fields);
        assert.equal(res.status, 400);
        assert.match(res.text, message);
      });

    it('refuses 10,000 lines of one kind on the form itself, saying the limit, with everything typed kept', async () => {
      const before = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals`))[0]!.n;
      const domains = Array.from({ length: 10_000 }, (_, i) => `boef-${i}.example`).join('\n');
      assert.ok(domains.length > 100 * 1024, 'more than the 100 kB of other forms');
      const res = await newSignal({
        domains,
        names: 'Boef BV',
        text: 'Tekst die blijft',
        category: 'phishing',
      });
      assert.equal(res.status, 400);
      assert.match(res.text, /hoogstens 1000 kenmerken van deze soort per signaal/);
      assert.ok(res.text.includes(`>${domains}</textarea>`), 'the list itself is kept');
      assert.ok(res.text.includes('>Boef BV</textarea>'));
      assert.ok(res.text.includes('Tekst die blijft'));
      assert.match(res.text, /value="phishing" selected/);
      const after = (await q<{ n: number }>(`SELECT count(*)::int AS n FROM signals`))[0]!.n;
      assert.equal(after, before);
    });

    it('refuses a form over 1 MB unread, saying the limit and where to import a spreadsheet', async () => {
      const res = await newSignal({ domains: 'boef.example\n'.repeat(90_000), category: 'phishing' });
      assert.equal(res.status, 413);
      assert.match(res.text, /groter dan 1 MB, de grens van dit formulier/);
      assert.match(res.text, /href="\/signalen\/importeren" data-import-link>/);
      await assertValidHtml(res.text, 'list form too large');
    });

    it('takes a date written day first and an expiry two years on', async () => {
      const res = await newSignal({ asNumbers: '64500', observedOn: '1-3-2026', expiresOn: '2028-03-01' });
      assert.equal(res.status, 303);
    });
  });

  describe('GET /signalen and /signalen/:id', () => {
    it('lists the organisation’s signals with their status and aggregates, never another’s', async () => {
      const current = await givenSignal(context.db.dataSource, supplierA.id, { domains: ['lijst.example'] });
      const withdrawn = await givenSignal(
        context.db.dataSource,
        supplierA.id,
        { domains: ['weg.example'] },
        { withdrawnAt: new Date() },
      );
      const expired = await givenSignal(
        context.db.dataSource,
        supplierA.id,
        { domains: ['oud.example'] },
        { observedOn: '2024-01-01', expiresOn: '2024-06-01' },
      );
      const other = await givenSignal(
        context.db.dataSource,
        (await givenSignalSupplier(context.db.dataSource)).id,
        { domains: ['ander.example'] },
      );
      const page = await agentA.get('/signalen');
      assert.equal(page.status, 200);
      const ref = (n: string) => `SIG-${n.padStart(6, '0')}`;
      assert.match(page.text, new RegExp(`data-signal="${ref(current.number)}" data-status="current"`));
      assert.match(page.text, new RegExp(`data-signal="${ref(withdrawn.number)}" data-status="withdrawn"`));
      assert.match(page.text, new RegExp(`data-signal="${ref(expired.number)}" data-status="expired"`));
      // Numbers count per supplier (F19): the other organisation's first signal is number 1 too, so
      // its signal is told apart by its id.
      assert.equal(other.number, '1');
      assert.match(page.text, new RegExp(`/signalen/${current.id}`));
      assert.ok(!page.text.includes(other.id));
      // The list shows no content: nothing is unsealed, so nothing is read.
      assert.ok(!page.text.includes('lijst.example'));
      assert.equal(await readsOf(current.id), 0);
      await assertValidHtml(page.text, 'signals list');
      const ofB = await agentB.get('/signalen');
      assert.ok(!ofB.text.includes(current.id));
    });

    it('shows a signal’s content to its organisation, appending signal.read on each view; 404 for another organisation', async () => {
      const signal = await givenSignal(
        context.db.dataSource,
        supplierA.id,
        { domains: ['inzien.example'] },
        { text: 'Geheime toelichting' },
      );
      const first = await agentA.get(`/signalen/${signal.id}`);
      assert.equal(first.status, 200);
      assert.ok(first.text.includes('inzien.example'));
      assert.ok(first.text.includes('Geheime toelichting'));
      assert.equal(first.headers['cache-control'], 'no-store');
      await assertValidHtml(first.text, 'signal');
      assert.equal(await readsOf(signal.id), 1);
      await agentA.get(`/signalen/${signal.id}`);
      assert.equal(await readsOf(signal.id), 2);
      const [event] = await q<{ actor: string; data: string }>(
        `SELECT actor, data::text AS data FROM audit_events WHERE action = 'signal.read' AND subject_id = $1 LIMIT 1`,
        [signal.id],
      );
      assert.equal(event!.actor, `signal_supplier:${personA.user.id}`);
      assert.ok(!event!.data.includes('inzien'));
      const ofB = await agentB.get(`/signalen/${signal.id}`);
      assert.equal(ofB.status, 404);
      assert.ok(!ofB.text.includes('inzien.example'));
      assert.equal(await readsOf(signal.id), 2);
      assert.equal((await agentA.get('/signalen/00000000-0000-0000-0000-000000000000')).status, 404);
      assert.equal((await agentA.get('/signalen/geen-id')).status, 404);
    });

    it('asks for the second factor before any signal is shown', async () => {
      const agent = request.agent(context.app);
      const res = await submitForm(agent, '/inloggen', '/inloggen', {
        email: personA.email,
        password: personA.password,
      });
      assert.equal(res.headers.location, '/inloggen/tweestaps');
      const page = await agent.get('/signalen');
      assert.equal(page.status, 303);
      assert.notEqual(page.headers.location, '/signalen');
      const noTotp = await givenUser(context.db.dataSource, 'signal_supplier', { totp: false });
      const without = await signedIn(context.app, noTotp);
      const refused = await without.get('/signalen');
      assert.equal(refused.status, 303);
      assert.equal(refused.headers.location, '/account/tweestapsverificatie');
    });
  });

  describe('aggregates on the signal page', () => {
    const figures = (html: string) => ({
      providers: /<dd[^>]*data-providers>.*?data-figure="([^"]+)"/s.exec(html)?.[1],
      answered: /<dd[^>]*data-answered>.*?data-figure="([^"]+)"/s.exec(html)?.[1],
      terminated: /<dd[^>]*data-action="terminated">.*?data-figure="([^"]+)"/s.exec(html)?.[1],
      median: /<dd[^>]*data-median>([^<]*)</.exec(html)?.[1],
    });
    const matchedAt = new Date('2026-10-01T10:00:00Z');
    const answered = (days: number) => [
      { action: 'terminated', at: new Date(matchedAt.getTime() + days * 86_400_000) },
    ];

    for (const count of [0, 1, 2]) {
      it(`reads "fewer than 3" for ${count} provider(s), and hides the median`, async () => {
        const signal = await givenSignal(context.db.dataSource, supplierA.id, {
          domains: [`drempel${count}.example`],
        });
        for (let i = 0; i < count; i++)
          await givenReferencedMatch(
            context.db.dataSource,
            signal.id,
            (await givenProvider(context.db.dataSource)).id,
            {
              matchedAt,
              answers: answered(2),
            },
          );
        const page = await agentA.get(`/signalen/${signal.id}`);
        assert.deepEqual(figures(page.text), {
          providers: 'below',
          answered: 'below',
          terminated: 'below',
          median: 'niet getoond: te weinig antwoorden',
        });
        assert.match(page.text, /minder dan 3/);
      });
    }

    it('shows the figures and the median from 3 providers; dismissed possible matches do not count', async () => {
      const signal = await givenSignal(context.db.dataSource, supplierA.id, { domains: ['drie.example'] });
      for (const days of [1, 3, 8])
        await givenReferencedMatch(
          context.db.dataSource,
          signal.id,
          (await givenProvider(context.db.dataSource)).id,
          {
            matchedAt,
            answers: answered(days),
          },
        );
      await givenReferencedMatch(
        context.db.dataSource,
        signal.id,
        (await givenProvider(context.db.dataSource)).id,
        {
          kind: 'possible',
          dismissedAt: matchedAt,
        },
      );
      const page = await agentA.get(`/signalen/${signal.id}`);
      assert.deepEqual(figures(page.text), {
        providers: '3',
        answered: '3',
        terminated: '3',
        median: '3 dagen',
      });
      const list = await agentA.get('/signalen');
      assert.match(
        list.text,
        new RegExp(
          `data-signal="SIG-${signal.number.padStart(6, '0')}"[\\s\\S]*?data-providers><span data-figure="3">`,
        ),
      );
    });

    it('lists a shared match with the provider’s name, its reference, the answer and its note; an unshared one not at all', async () => {
      const signal = await givenSignal(context.db.dataSource, supplierA.id, { domains: ['gedeeld.example'] });
      const sharing = await givenProvider(context.db.dataSource);
      const silent = await givenProvider(context.db.dataSource);
      await givenReferencedMatch(context.db.dataSource, signal.id, sharing.id, {
        reference: 'KLANT-4711',
        sharedAt: new Date(),
        answers: [{ action: 'disputed', note: 'Klant is een school', at: new Date() }],
      });
      await givenReferencedMatch(context.db.dataSource, signal.id, silent.id, { reference: 'GEHEIM-1' });
      const page = await agentA.get(`/signalen/${signal.id}`);
      assert.match(page.text, /data-shared-match>[^<]*KLANT-4711/);
      assert.ok(page.text.includes(sharing.legalName));
      assert.match(page.text, /Betwist/);
      assert.ok(page.text.includes('Klant is een school'));
      assert.ok(!page.text.includes(silent.legalName));
      assert.ok(!page.text.includes('GEHEIM-1'));
    });
  });

  describe('withdrawing', () => {
    it('withdraws after a confirmation that shows no content, audited once; another organisation gets 404', async () => {
      const signal = await givenSignal(context.db.dataSource, supplierA.id, {
        domains: ['intrekken.example'],
      });
      const confirm = await agentA.get(`/signalen/${signal.id}/intrekken`);
      assert.equal(confirm.status, 200);
      assert.ok(!confirm.text.includes('intrekken.example'));
      assert.equal(await readsOf(signal.id), 0);
      await assertValidHtml(confirm.text, 'withdraw signal');
      const byB = await submitForm(agentB, '/signalen', `/signalen/${signal.id}/intrekken`, {});
      assert.equal(byB.status, 404);
      const res = await submitForm(
        agentA,
        `/signalen/${signal.id}/intrekken`,
        `/signalen/${signal.id}/intrekken`,
        {},
      );
      assert.equal(res.status, 303);
      await submitForm(agentA, '/signalen', `/signalen/${signal.id}/intrekken`, {});
      const [row] = await q<{ withdrawn: boolean }>(
        `SELECT withdrawn_at IS NOT NULL AS withdrawn FROM signals WHERE id = $1`,
        [signal.id],
      );
      assert.equal(row!.withdrawn, true);
      const events = await q<{ action: string }>(
        `SELECT action FROM audit_events WHERE subject_id = $1 AND action = 'signal.withdrawn'`,
        [signal.id],
      );
      assert.equal(events.length, 1);
      assert.match((await agentA.get(`/signalen/${signal.id}`)).text, /data-signal-status="withdrawn"/);
    });
  });

  describe('POST /signalen/importeren', () => {
    const upload = async (fields: Record<string, string>, file?: { bytes: Buffer; name: string }) => {
      const page = await agentA.get('/signalen/importeren');
      const token = /name="_csrf" value="([^"]+)"/.exec(page.text)![1]!;
      let req = agentA.post('/signalen/importeren').field('_csrf', token);
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      if (file) req = req.attach('bestand', file.bytes, file.name);
      return req;
    };
    const bronOf = (html: string) => /name="bron" value="([^"]+)"/.exec(html)![1]!.replace(/&#x3D;/g, '=');
    const signalsOfSource = async (source: string) =>
      (
        await q<{ n: number }>(
          `SELECT count(*)::int AS n FROM signals WHERE signal_supplier_id = $1 AND source = $2`,
          [supplierA.id, source],
        )
      )[0]!.n;

    it('reads a Windows-1252 CSV with Dutch headers: a preview with each row’s problem, then adds the good rows sealed', async () => {
      const csv = [
        'KvK;Naam;Domein;IP;Categorie;Betrouwbaarheid;Toelichting',
        '11112222;Café Boef B.V.;cafe-boef.example, www.cafe-boef2.example;192.0.2.0/24;phishing;high;Geïmporteerd',
        ';;;;spam;low;Alleen tekst',
        '33334444;;niet goed;;ddos;medium;',
      ].join('\r\n');
      const bytes = Buffer.from(csv, 'latin1');
      const before = await signalsOfSource('spreadsheet');
      const preview = await upload({}, { bytes, name: 'signalen.csv' });
      assert.equal(preview.status, 200, preview.text.slice(0, 500));
      assert.match(preview.text, /data-good="1" data-problems="2"/);
      // Each count with its own number: "1 regel", never "1 regels".
      assert.match(
        preview.text,
        /1 regel wordt toegevoegd\. 2 regels hebben een probleem en worden overgeslagen\./,
      );
      assert.match(preview.text, />1 signaal toevoegen</);
      assert.ok(preview.text.includes('Café Boef B.V.'), 'read as Windows-1252');
      assert.match(preview.text, /data-line="3" data-ok="no">[\s\S]*?vul minstens één kenmerk in/);
      assert.match(preview.text, /data-line="4" data-ok="no">[\s\S]*?"niet goed"\): dit is geen domeinnaam/);
      await assertValidHtml(preview.text, 'signal import preview');
      assert.equal(await signalsOfSource('spreadsheet'), before, 'nothing stored before the confirmation');
      const done = await upload({ bron: bronOf(preview.text), bevestigen: '1' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.location, '/signalen?geimporteerd=1');
      assert.equal(await signalsOfSource('spreadsheet'), before + 1);
      assert.match((await agentA.get(done.headers.location)).text, /1 signaal is toegevoegd/);
      // The notice repeats only a count: a link with anything else says nothing.
      for (const forged of ['-5', '1x', 'abc'])
        assert.doesNotMatch(
          (await agentA.get(`/signalen?geimporteerd=${forged}`)).text,
          /is toegevoegd|zijn toegevoegd/,
          forged,
        );
      // F5: the same preview confirmed again (double click, back button) stores nothing and says so.
      const again = await upload({ bron: bronOf(preview.text), bevestigen: '1' });
      assert.equal(again.status, 303);
      assert.match(again.headers.location!, /^\/signalen\?eerderGeimporteerd=1&op=\d{4}-\d{2}-\d{2}$/);
      assert.equal(await signalsOfSource('spreadsheet'), before + 1);
      const told = await agentA.get(again.headers.location!);
      assert.match(
        told.text,
        /Deze lijst was al toegevoegd op \d{4}-\d{2}-\d{2} \(1 signaal\); er is niets opnieuw opgeslagen/,
      );
      await assertValidHtml(told.text, 'signals list after a second confirm');
      const [row] = await q<{ sealed: string }>(
        `SELECT sealed FROM signals WHERE signal_supplier_id = $1 AND source = 'spreadsheet' ORDER BY number DESC LIMIT 1`,
        [supplierA.id],
      );
      const content = testSignalKeys.open(row!.sealed);
      assert.deepEqual(content.identity.names, ['Café Boef B.V.']);
      assert.deepEqual(content.identity.domains, ['cafe-boef.example', 'cafe-boef2.example']);
      assert.ok(!row!.sealed.includes('Boef'));
    });

    it('reads an .xlsx with English headers, several values in a cell on separate lines', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Signals');
      sheet.addRow(['Name', 'Mail domain', 'ASN', 'Category', 'Confidence', 'Date', 'Expires', 'Text']);
      sheet.addRow([
        'Xlsx Reseller',
        'abuse@xlsx-boef.example\n@xlsx-boef2.example',
        'AS64501',
        'malware',
        'medium',
        '2026-11-05',
        '2027-06-30',
        'Uit Excel',
      ]);
      const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
      const preview = await upload({}, { bytes, name: 'signals.xlsx' });
      assert.equal(preview.status, 200);
      assert.match(preview.text, /data-good="1" data-problems="0"/);
      const done = await upload({ bron: bronOf(preview.text), bevestigen: '1' });
      assert.equal(done.status, 303);
      const [row] = await q<{ sealed: string; observed: string; expires: string; category: string }>(
        `SELECT sealed, observed_on::text AS observed, expires_on::text AS expires, category FROM signals
          WHERE signal_supplier_id = $1 AND source = 'spreadsheet' ORDER BY number DESC LIMIT 1`,
        [supplierA.id],
      );
      assert.deepEqual(testSignalKeys.open(row!.sealed).identity.mailDomains, [
        'xlsx-boef.example',
        'xlsx-boef2.example',
      ]);
      assert.deepEqual([row!.observed, row!.expires, row!.category], ['2026-11-05', '2027-06-30', 'malware']);
    });

    it('reads Excel day numbers in the date columns as the watch-list import does (F11)', async () => {
      const workbook = new ExcelJS.Workbook();
      const sheet = workbook.addWorksheet('Signals');
      sheet.addRow(['Name', 'Category', 'Confidence', 'Date', 'Expires']);
      // 46000 is 2025-12-09, 46500 is 2027-04-23: number cells, as police exports often carry dates.
      sheet.addRow(['Dagnummer Reseller', 'spam', 'low', 46000, 46500]);
      const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
      const preview = await upload({}, { bytes, name: 'dagnummers.xlsx' });
      assert.equal(preview.status, 200);
      assert.match(preview.text, /data-good="1" data-problems="0"/, preview.text.slice(0, 3000));
      const done = await upload({ bron: bronOf(preview.text), bevestigen: '1' });
      assert.equal(done.status, 303);
      const [row] = await q<{ observed: string; expires: string }>(
        `SELECT observed_on::text AS observed, expires_on::text AS expires FROM signals
          WHERE signal_supplier_id = $1 AND source = 'spreadsheet' ORDER BY number DESC LIMIT 1`,
        [supplierA.id],
      );
      assert.deepEqual([row!.observed, row!.expires], ['2025-12-09', '2027-04-23']);
    });

    it('refuses a list without an identifier column, and no file, with a message', async () => {
      const res = await upload(
        {},
        { bytes: Buffer.from('Categorie;Datum\nspam;2026-01-01\n'), name: 'x.csv' },
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /noemt geen kolom met kenmerken/);
      const none = await upload({});
      assert.equal(none.status, 400);
      assert.match(none.text, /kies een bestand/);
    });
  });
});
