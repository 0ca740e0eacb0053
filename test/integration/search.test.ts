import assert from 'node:assert/strict';
import request from 'supertest';
import { Provider } from '../../src/provider/provider.entity';
import { queryKind } from '../../src/register/search.service';
import { DEMO_PROVIDERS } from '../../src/seed/demo-data';
import { refreshDueSnapshots } from '../../src/status/status-snapshot.service';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { givenProvider } from '../factories/provider.factory';
import { validVatNumber } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { must } from '../../src/shared/must';

/** KvK numbers of the result rows, in order. */
function found(html: string): string[] {
  return [...html.matchAll(/data-kvk="(\d{8})"/g)].map((m) => must(m[1], 'the pattern has a group'));
}

describe('searching the register', () => {
  const demo = useDemoRegister();

  it('finds a name despite a typo, best match first', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=polderwlk').expect(200);
    assert.equal(found(res.text)[0], demoKvkOf('Polderwolk'));
    await assertValidHtml(res.text, 'search results');
  });

  it('finds a trade name', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=DGDC').expect(200);
    assert.deepEqual(found(res.text), [demoKvkOf('Dijkgraaf')]);
  });

  it('finds by whole and partial KvK number', async () => {
    assert.deepEqual(
      found((await request(demo.app).get(`/hostingproviders?q=${demoKvkOf('Waddenweb')}`)).text),
      [demoKvkOf('Waddenweb')],
    );
    assert.equal(
      found((await request(demo.app).get('/hostingproviders?q=999900')).text).length,
      DEMO_PROVIDERS.length,
    );
  });

  it('finds by btw-id, however it is typed', async () => {
    const vatNumber = validVatNumber();
    const provider = await givenProvider(demo.db.dataSource, { vatNumber });
    const typed = `${vatNumber.slice(0, 2).toLowerCase()} ${vatNumber.slice(2, 6)}.${vatNumber.slice(6)}`;
    const res = await request(demo.app)
      .get(`/hostingproviders?q=${encodeURIComponent(typed)}`)
      .expect(200);
    assert.deepEqual(found(res.text), [provider.kvkNumber]);
  });

  it('finds by website domain', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=https://www.fietsbel.example/').expect(200);
    assert.deepEqual(found(res.text), [demoKvkOf('Fietsbel')]);
  });

  it('filters by status and says how many it found', async () => {
    const res = await request(demo.app).get('/hostingproviders?status=suspended').expect(200);
    const expected = DEMO_PROVIDERS.filter((d) => d.expected === 'suspended').length;
    assert.equal(found(res.text).length, expected);
    assert.match(res.text, new RegExp(`${expected} hostingproviders`));
  });

  it('sorts by status with verantwoord first', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=9999&sort=status').expect(200);
    const statuses = [...res.text.matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1]);
    const verantwoord = statuses.filter((s) => s === 'verantwoord').length;
    assert.ok(verantwoord > 0);
    assert.deepEqual(statuses.slice(0, verantwoord), Array(verantwoord).fill('verantwoord'));
  });

  it('answers an empty result, an over-long query and odd characters without an error', async () => {
    for (const q of [
      'geen-enkele-treffer-xyz',
      'x'.repeat(5000),
      "'; DROP TABLE providers; --",
      '%_\\',
      '🙂',
    ]) {
      const res = await request(demo.app)
        .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
        .expect(200);
      assert.match(res.text, /hostingproviders/);
    }
    assert.ok(await demo.db.dataSource.getRepository(Provider).count());
  });

  it('says nothing was found for a search or a filter, with a hint, not that the register is empty', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=molnrack').expect(200);
    assert.match(res.text, /data-no-results/);
    assert.match(res.text, /Geen hostingproviders gevonden voor ‘molnrack’/);
    assert.match(res.text, /Controleer de spelling, zoek op een deel van de naam of op het KvK-nummer/);
    assert.doesNotMatch(res.text, /nog geen hostingproviders/);
    await assertValidHtml(res.text, 'a search without results');
    const en = await request(demo.app).get('/hostingproviders?q=molnrack&lang=en').expect(200);
    assert.match(en.text, /No hosting providers found for ‘molnrack’/);
    const filtered = await request(demo.app)
      .get('/hostingproviders?q=molnrack&status=revoked&lang=nl')
      .expect(200);
    assert.match(filtered.text, /Geen hostingproviders gevonden voor ‘molnrack’/);
    assert.match(filtered.text, /Of kies ‘Alle statussen’/);
    assert.doesNotMatch(filtered.text, /nog geen hostingproviders/);
  });

  it('keeps the search in the form and in the page links, so every search is a shareable URL', async () => {
    for (let i = 0; i < 26; i++) await givenProvider(demo.db.dataSource, { legalName: `Deelbaar ${i} B.V.` });
    const res = await request(demo.app).get('/hostingproviders?q=deelbaar&sort=name').expect(200);
    assert.match(res.text, /value="deelbaar"/);
    assert.match(
      res.text,
      /rel="next" href="\/hostingproviders\?q&#x3D;deelbaar&amp;sort&#x3D;name&amp;page&#x3D;2"/,
    );
  });

  it('reads the kind of query', () => {
    assert.equal(queryKind('12345678'), 'kvk');
    assert.equal(queryKind('1234'), 'kvkPrefix');
    assert.equal(queryKind('NL123456782B01'), 'vat');
    assert.equal(queryKind('hosting.example'), 'domain');
    assert.equal(queryKind('Polder Wolk'), 'name');
    assert.equal(queryKind('  '), 'none');
  });

  it('shows a status that changed by time alone (an expiry) without anyone acting', async () => {
    const due = await refreshDueSnapshots(
      demo.db.dataSource.manager,
      new Date(Date.now() + 5 * 365 * 86400000),
    );
    assert.ok(due > 0, 'listings end within five years, so snapshots were due');
    const [counted] = await demo.db.dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM provider_status WHERE status = 'verantwoord'`,
    );
    const { n } = must(counted, 'a count gives one row');
    assert.equal(n, 0, 'five years on, nobody is verantwoord any more');
  });
});

describe('an empty register', () => {
  const context = useTestApp();

  it('says there are no hosting providers yet, without a search hint', async () => {
    const res = await request(context.app).get('/hostingproviders').expect(200);
    assert.match(res.text, /data-register-empty/);
    assert.match(res.text, /Er staan nog geen hostingproviders in het register\./);
    assert.doesNotMatch(res.text, /data-no-results/);
  });
});
