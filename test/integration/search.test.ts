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
import { apiClient, bodyOf } from '../helpers/api';
import { must } from '../../src/shared/must';

interface ApiList {
  hostingproviders: { kvkNummer: string; naam: string }[];
  paginering: { totaal: number };
}

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

  it('says no provider matches a search or a filter, with what to try, not that the register is empty', async () => {
    const res = await request(demo.app).get('/hostingproviders?q=molnrakc%20kluis').expect(200);
    assert.match(res.text, /data-no-results/);
    assert.match(res.text, /Geen hostingprovider gevonden die past bij ‘molnrakc kluis’/);
    assert.match(res.text, /Controleer de spelling/);
    assert.match(res.text, /Zoek met minder woorden/);
    assert.match(res.text, /Zoek op het KvK-nummer \(8 cijfers\)/);
    assert.match(
      res.text,
      /<a class="nl-link" href="\/hostingproviders" data-full-register>Bekijk het hele register<\/a>/,
    );
    assert.match(res.text, /<a class="nl-link" href="\/controleren" data-single-check>/);
    assert.doesNotMatch(res.text, /nog geen hostingproviders/);
    await assertValidHtml(res.text, 'a search without results');
    const en = await request(demo.app).get('/hostingproviders?q=molnrakc%20kluis&lang=en').expect(200);
    assert.match(en.text, /No hosting provider matches ‘molnrakc kluis’/);
    assert.match(en.text, /View the whole register/);
    assert.match(en.text, /Check one hosting provider by KvK number/);
    assert.doesNotMatch(en.text, /no hosting providers in the register/i);
    const filtered = await request(demo.app)
      .get('/hostingproviders?q=polderwolk&status=revoked&lang=nl')
      .expect(200);
    assert.match(filtered.text, /Geen hostingprovider gevonden die past bij ‘polderwolk’/);
    assert.match(
      filtered.text,
      /href="\/hostingproviders\?q&#x3D;polderwolk&amp;sort&#x3D;relevance">Zoek in alle statussen</,
    );
    assert.doesNotMatch(filtered.text, /nog geen hostingproviders/);
  });

  it('answers an empty result in the API as a valid empty page', async () => {
    const res = await apiClient(demo.app).get('/api/v1/hostingproviders?zoekterm=molnrakc%20kluis');
    assert.equal(res.status, 200);
    assert.deepEqual(bodyOf<ApiList>(res).hostingproviders, []);
    assert.equal(bodyOf<ApiList>(res).paginering.totaal, 0);
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
    assert.equal(queryKind('B.V.'), 'none');
  });

  describe('what people type', () => {
    let nulhost: Provider;
    before(async () => {
      nulhost = await givenProvider(demo.db.dataSource, {
        legalName: 'Nulhost B.V.',
        website: 'https://www.nulhost.example/',
        vatNumber: 'NL123456782B01',
      });
    });

    /** The query, the provider it must find first (a demo name, or the Nulhost provider). */
    const queries: [string, string][] = [
      ['polderwolk bv', 'Polderwolk'],
      ['Poldrwolk Hostng', 'Polderwolk'],
      ['9999 0001', 'Polderwolk'],
      ['KvK 99990001', 'Polderwolk'],
      ['www.nulhost.example', 'Nulhost'],
      ['http://polderwolk.example/contact', 'Polderwolk'],
      ['NL-123456782-B01', 'Nulhost'],
    ];
    const kvkOf = (name: string) => (name === 'Nulhost' ? nulhost.kvkNumber : demoKvkOf(name));

    for (const [q, name] of queries) {
      it(`finds ${name} for ‘${q}’ on the register page and in the API`, async () => {
        assert.equal(demoKvkOf('Polderwolk'), '99990001', 'the demo data the issue quotes');
        const page = await request(demo.app)
          .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
          .expect(200);
        assert.equal(found(page.text)[0], kvkOf(name), `page for ${q}`);
        const api = await apiClient(demo.app).get(
          `/api/v1/hostingproviders?zoekterm=${encodeURIComponent(q)}`,
        );
        assert.equal(api.status, 200);
        assert.equal(bodyOf<ApiList>(api).hostingproviders[0]?.kvkNummer, kvkOf(name), `API for ${q}`);
      });
    }

    it('finds exactly the provider for a KvK number, a btw-id and a web address', async () => {
      for (const [q, name] of queries.slice(2)) {
        const page = await request(demo.app)
          .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
          .expect(200);
        assert.deepEqual(found(page.text), [kvkOf(name)], q);
      }
    });

    it('says what it searched on and which words it left out', async () => {
      const domain = await request(demo.app).get('/hostingproviders?q=http://polderwolk.example/contact');
      assert.match(domain.text, /Gezocht op de website polderwolk\.example/);
      const vat = await request(demo.app).get('/hostingproviders?q=NL-123456782-B01');
      assert.match(vat.text, /Gezocht op btw-id NL123456782B01/);
      const name = await request(demo.app).get('/hostingproviders?q=polderwolk%20bv');
      assert.match(name.text, /Niet meegezocht: ‘bv’/);
    });

    it('answers a query of only a legal form with the whole register, and says why', async () => {
      const all = await request(demo.app).get('/hostingproviders?sort=name').expect(200);
      const res = await request(demo.app).get('/hostingproviders?q=bv').expect(200);
      assert.deepEqual(found(res.text), found(all.text));
      assert.ok(found(res.text).length > 1);
      assert.match(res.text, /Niet meegezocht: ‘bv’\. .*hieronder staat het hele register/);
      assert.doesNotMatch(res.text, /data-no-results/);
      const api = await apiClient(demo.app).get('/api/v1/hostingproviders?zoekterm=bv');
      const whole = await apiClient(demo.app).get('/api/v1/hostingproviders');
      assert.equal(bodyOf<ApiList>(api).paginering.totaal, bodyOf<ApiList>(whole).paginering.totaal);
    });

    it('does not let a top level like ‘example’ match every website', async () => {
      for (const q of ['example', '.example', 'http://example', 'www.example']) {
        const res = await request(demo.app)
          .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
          .expect(200);
        assert.deepEqual(found(res.text), [], q);
      }
      // Part of a host is no host: only the whole host (or one it is part of) matches.
      const part = await request(demo.app).get('/hostingproviders?q=wolk.example').expect(200);
      assert.deepEqual(found(part.text), []);
      const sub = await request(demo.app).get('/hostingproviders?q=mail.polderwolk.example').expect(200);
      assert.deepEqual(found(sub.text), [demoKvkOf('Polderwolk')]);
    });

    it('reads the stored website the same way: case, port, path, a trailing dot and IDN spellings', async () => {
      const odd = await givenProvider(demo.db.dataSource, {
        legalName: 'Hoofdletter B.V.',
        website: 'https://WWW.Hoofdletter.example:8443/pad?x=1',
      });
      const idn = await givenProvider(demo.db.dataSource, {
        legalName: 'Bücherhost B.V.',
        website: 'https://bücher.example/',
      });
      for (const [q, kvk] of [
        ['hoofdletter.example', odd.kvkNumber],
        ['https://hoofdletter.example.', odd.kvkNumber],
        ['bücher.example', idn.kvkNumber],
        ['http://xn--bcher-kva.example/', idn.kvkNumber],
      ] as const) {
        const res = await request(demo.app)
          .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
          .expect(200);
        assert.deepEqual(found(res.text), [kvk], q);
      }
    });

    it('ranks an exact name above a beginning, and adds no typo match when a word matches as it is', async () => {
      const exact = await givenProvider(demo.db.dataSource, { legalName: 'Rangorde Hosting B.V.' });
      const longer = await givenProvider(demo.db.dataSource, { legalName: 'Rangordewolk B.V.' });
      const typo = await givenProvider(demo.db.dataSource, { legalName: 'Rangrode Hosting B.V.' });
      await givenProvider(demo.db.dataSource, { legalName: 'Rangwerk Hosting B.V.' });
      const res = await request(demo.app).get('/hostingproviders?q=rangorde').expect(200);
      assert.deepEqual(found(res.text), [exact.kvkNumber, longer.kvkNumber]);
      const api = await apiClient(demo.app).get('/api/v1/hostingproviders?zoekterm=rangorde');
      assert.deepEqual(
        bodyOf<ApiList>(api).hostingproviders.map((p) => p.kvkNummer),
        [exact.kvkNumber, longer.kvkNumber],
      );
      // The typo is still found when it is typed: then it is the word that matches as it is.
      const back = await request(demo.app).get('/hostingproviders?q=rangrode').expect(200);
      assert.deepEqual(found(back.text), [typo.kvkNumber]);
    });

    it('ranks a whole-word typo above a typo in the beginning of a longer word (issue 15, outside try)', async () => {
      const named = (legalName: string) => givenProvider(demo.db.dataSource, { legalName });
      const wad = await named('Kwelderwad Hosting B.V.');
      const klomp = await named('Kwelderklomp Hosting B.V.');
      const sluis = await named('Kweldersluis Hosting B.V.');
      const haven = await named('Kwelderhaven B.V.');
      const kaas = await named('Kwelderkaas B.V.');
      // Two typos from "kwelderwad" (the whole word) and from "kwelderklo" and "kweldersl" (beginnings).
      const typo = await request(demo.app).get('/hostingproviders?q=kwelderwlk').expect(200);
      assert.equal(found(typo.text)[0], wad.kvkNumber);
      assert.deepEqual(new Set(found(typo.text).slice(1)), new Set([klomp.kvkNumber, sluis.kvkNumber]));
      const api = await apiClient(demo.app).get('/api/v1/hostingproviders?zoekterm=kwelderwlk');
      assert.equal(bodyOf<ApiList>(api).hostingproviders[0]?.kvkNummer, wad.kvkNumber);
      // Typed right, the word matches only itself: no "kwelderhaven" or "kwelderkaas" two typos away.
      const exact = await request(demo.app).get('/hostingproviders?q=kwelderwad').expect(200);
      assert.deepEqual(found(exact.text), [wad.kvkNumber]);
      assert.ok(!found(exact.text).includes(haven.kvkNumber) && !found(exact.text).includes(kaas.kvkNumber));
      // A beginning counts as matching as it is too: "kwelderha" finds Kwelderhaven, not Kwelderwad by typo.
      const start = await request(demo.app).get('/hostingproviders?q=kwelderha').expect(200);
      assert.deepEqual(found(start.text), [haven.kvkNumber]);
    });

    it('reads seven digits as a KvK number that lost its leading zero, and finds it first', async () => {
      const zero = await givenProvider(demo.db.dataSource, {
        kvkNumber: '07654321',
        legalName: 'Voorloopnul B.V.',
      });
      const res = await request(demo.app).get('/hostingproviders?q=7654321').expect(200);
      assert.equal(found(res.text)[0], zero.kvkNumber);
      assert.match(res.text, /en op 07654321/);
    });
  });

  describe('numbers among words, lists of numbers and places', () => {
    /** KvK numbers of an API search, in order. */
    const apiFound = async (q: string) => {
      const api = await apiClient(demo.app).get(`/api/v1/hostingproviders?zoekterm=${encodeURIComponent(q)}`);
      assert.equal(api.status, 200, q);
      return bodyOf<ApiList>(api).hostingproviders.map((p) => p.kvkNummer);
    };
    const pageFor = async (q: string) =>
      (
        await request(demo.app)
          .get(`/hostingproviders?q=${encodeURIComponent(q)}`)
          .expect(200)
      ).text;

    it('finds a provider by the KvK number among words, as supplier lists write it', async () => {
      const polderwolk = demoKvkOf('Polderwolk');
      for (const q of [
        'Polderwolk Hosting B.V. (99990001)',
        '#99990001',
        'NL 99990001',
        '0099990001',
        'Polderwolk Hosting (0099990001)',
        // The number decides: words that do not fit it are not searched on.
        'Andere Naam B.V. 99990001',
      ]) {
        const page = await pageFor(q);
        assert.deepEqual(found(page), [polderwolk], q);
        assert.match(page, /Gezocht op KvK-nummer 99990001\./, q);
        assert.deepEqual(await apiFound(q), [polderwolk], `API for ${q}`);
      }
      const page = await pageFor('Polderwolk Hosting B.V. (99990001)');
      assert.match(
        page,
        /data-beside-number>Het KvK-nummer beslist; niet meegezocht: ‘polderwolk’, ‘hosting’\./,
      );
    });

    it('finds every KvK number of a list, each exactly, and points to the list check', async () => {
      const [a, b, c] = ['Polderwolk', 'Dijkgraaf', 'Waddenweb'].map(demoKvkOf);
      for (const q of [`${a} ${b}`, `${a}\r\n${b}\r\n${c}\r\n`, `${c}, ${a}; 12345670`]) {
        const expected = q.split(/[\s,;]+/).filter((n) => n && n !== '12345670');
        const page = await pageFor(q);
        assert.deepEqual(found(page), expected, q);
        assert.deepEqual(await apiFound(q), expected, `API for ${q}`);
        assert.match(page, /data-read-as="kvkList"/, q);
        assert.match(page, /<a class="nl-link" href="\/controleren\/lijst" data-list-check>/, q);
      }
      // Each number exactly: a list is no search on beginnings.
      assert.deepEqual(found(await pageFor(`${a} 9999000`)), [a]);
    });

    it('says what it read and offers the list check when the numbers find nothing', async () => {
      const list = await pageFor('12345670 12345671');
      assert.match(list, /data-no-results/);
      assert.match(list, /Gelezen als 2 KvK-nummers: 12345670, 12345671\./);
      assert.match(
        list,
        /<a class="nl-link" href="\/controleren\/lijst" data-list-check>Controleer een lijst/,
      );
      assert.doesNotMatch(list, /Controleer de spelling/);
      await assertValidHtml(list, 'a list of numbers without results');
      const named = await pageFor('Polderwolk Hosting B.V. (12345670)');
      assert.match(named, /Gelezen als KvK-nummer 12345670\. Klopt het nummer\?/);
      assert.match(
        named,
        /href="\/hostingproviders\?q&#x3D;polderwolk\+hosting" data-words-only>Zoek alleen op de naam/,
      );
      assert.match(named, /data-list-check/);
      await assertValidHtml(named, 'a name with a number without results');
      const en = await request(demo.app).get('/hostingproviders?q=12345670%2012345671&lang=en').expect(200);
      assert.match(en.text, /Read as 2 KvK numbers: 12345670, 12345671\./);
      assert.match(en.text, /Check a list of KvK numbers at once/);
    });

    it('finds a name with its place, and the providers in a place, name matches first', async () => {
      const dijkgraaf = demoKvkOf('Dijkgraaf');
      assert.equal(DEMO_PROVIDERS.find((d) => d.legalName.startsWith('Dijkgraaf'))?.city, 'Zwolle');
      const elsewhere = await givenProvider(demo.db.dataSource, {
        legalName: 'Kadewolk Hosting B.V.',
        city: 'Kampen',
      });
      const inZwolle = await givenProvider(demo.db.dataSource, {
        legalName: 'Kadewolk Hosting Zuid B.V.',
        city: 'Zwolle',
      });
      const named = await givenProvider(demo.db.dataSource, {
        legalName: 'Zwolle Kade B.V.',
        city: 'Deventer',
      });

      // The place ranks and confirms; the name words decide.
      assert.deepEqual(found(await pageFor('Kadewolk Hosting BV, Zwolle')), [
        inZwolle.kvkNumber,
        elsewhere.kvkNumber,
      ]);
      assert.deepEqual(await apiFound('Kadewolk Hosting BV, Zwolle'), [
        inZwolle.kvkNumber,
        elsewhere.kvkNumber,
      ]);
      // Polderwolk is in Amersfoort: a place that does not fit does not hide it, nor list Zwolle.
      assert.deepEqual(found(await pageFor('Polderwolk Hosting BV, Zwolle')), [demoKvkOf('Polderwolk')]);

      // A place alone: the providers there, a provider with the word in its name first.
      const zwolle = found(await pageFor('Zwolle'));
      assert.equal(zwolle[0], named.kvkNumber);
      assert.deepEqual(new Set(zwolle.slice(1)), new Set([dijkgraaf, inZwolle.kvkNumber]));
      assert.deepEqual((await apiFound('zwolle'))[0], named.kvkNumber);
      // A part of a place is no place: "dam" does not list Amsterdam.
      assert.ok(!found(await pageFor('grachtengordel dam')).length);
    });
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
