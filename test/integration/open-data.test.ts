import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { OPEN_DATA_FIELDS, type OpenDataField } from '../../src/open-data/open-data.service';
import { givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { apiClient } from '../helpers/api';
import { downloadText } from '../helpers/audit-log';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { onPath, requireTool } from '../helpers/tools';
import { must } from '../../src/shared/must';
import { z } from 'zod';

/** What this test reads of the API's list of providers; parsing fails it when the answer has another shape. */
const providerList = z.object({
  hostingproviders: z.array(z.object({ kvkNummer: z.string(), status: z.object({ code: z.string() }) })),
});

const ATOM_SCHEMA = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'atom.rnc');

const getText = (app: Parameters<typeof request>[0], url: string) => downloadText(request(app), url);
const asText = (res: request.Response) => res.body as string;

describe('open data', () => {
  const demo = useDemoRegister();

  before(async () => {
    // A name a spreadsheet would run as a formula, and a reason with characters XML cannot carry.
    const sneaky = await givenProvider(demo.db.dataSource, {
      legalName: '=HYPERLINK("https://evil.example")',
    });
    await givenStatusEvent(demo.db.dataSource, {
      providerId: sneaky.id,
      kind: 'application_submitted',
      effectiveAt: new Date(),
    });
    await givenStatusEvent(demo.db.dataSource, {
      providerId: sneaky.id,
      kind: 'application_rejected',
      effectiveAt: new Date(),
      reason: 'Bewijs <onleesbaar> & \u0001onvolledig\u001F "echt"',
    });
  });

  it('GET /open-data describes every field, the formats and the open licence', async () => {
    const res = await request(demo.app).get('/open-data').expect(200);
    for (const field of OPEN_DATA_FIELDS) assert.match(res.text, new RegExp(`data-field="${field}"`));
    assert.match(
      res.text,
      /href="https:\/\/creativecommons\.org\/publicdomain\/zero\/1\.0\/deed\.nl" rel="license"/,
    );
    await assertValidHtml(res.text, 'open data page');
  });

  it('downloads the whole register as RFC 4180 CSV with the documented columns, statuses as the API gives them', async () => {
    const res = await getText(demo.app, '/open-data/hostingproviders.csv').expect(200);
    assert.match(String(res.headers['content-type']), /^text\/csv; charset=utf-8/);
    assert.match(
      String(res.headers['content-disposition']),
      /attachment; filename="hostingproviders-\d{4}-\d{2}-\d{2}\.csv"/,
    );
    const text = asText(res);
    assert.ok(!text.startsWith('\uFEFF'), 'no byte-order mark');
    assert.ok(text.endsWith('\r\n'));
    // The header is checked to be exactly OPEN_DATA_FIELDS on the next line: every row has each field.
    const rows = parse<Record<OpenDataField, string>>(text, { columns: true });
    assert.equal(text.split('\r\n')[0], OPEN_DATA_FIELDS.join(','));
    assert.equal(rows.length, 15);
    assert.deepEqual(
      rows.map((r) => r.kvkNummer),
      rows.map((r) => r.kvkNummer).sort(),
    );
    const api = await apiClient(demo.app).get('/api/v1/hostingproviders?paginaGrootte=100');
    const apiStatus = new Map(
      providerList.parse(api.body).hostingproviders.map((p) => [p.kvkNummer, p.status.code]),
    );
    for (const row of rows) {
      assert.equal(row.status, apiStatus.get(row.kvkNummer), row.kvkNummer);
      assert.equal(row.verantwoord, String(row.status === 'verantwoord'));
    }
    const polder = rows.find((r) => r.kvkNummer === demoKvkOf('Polderwolk'));
    assert.equal(polder?.naam, 'Polderwolk Hosting B.V.');
    assert.ok(polder?.vermeldingGeldigTot);
    assert.ok(
      rows.some((r) => r.naam === `'=HYPERLINK("https://evil.example")`),
      'formula guarded',
    );
  });

  it('downloads the same records as JSON, with the source and licence', async () => {
    const res = await getText(demo.app, '/open-data/hostingproviders.json').expect(200);
    const doc = JSON.parse(asText(res)) as {
      licentie: { name: string };
      velden: string;
      hostingproviders: Record<string, unknown>[];
    };
    assert.equal(doc.licentie.name, 'CC0 1.0 Universal');
    assert.equal(doc.velden, 'http://register.test/open-data');
    assert.equal(doc.hostingproviders.length, 15);
    for (const record of doc.hostingproviders) assert.deepEqual(Object.keys(record), [...OPEN_DATA_FIELDS]);
    const csv = parse<Record<string, string>>(
      asText(await getText(demo.app, '/open-data/hostingproviders.csv')),
      {
        columns: true,
      },
    );
    assert.deepEqual(
      doc.hostingproviders.map((r) => [r.kvkNummer, r.status, r.statusSinds ?? '']),
      csv.map((r) => [r.kvkNummer, r.status, r.statusSinds]),
    );
    assert.equal(res.headers['access-control-allow-origin'], '*');
  });

  describe('GET /open-data/statuswijzigingen.atom', function () {
    before(function () {
      requireTool(
        this,
        onPath('jing'),
        'jing not found: the Atom feed test is pending. Install it with "apt-get install jing".',
      );
    });

    it('is an Atom feed that validates against the RFC 4287 schema, newest change first', async () => {
      const res = await getText(demo.app, '/open-data/statuswijzigingen.atom').expect(200);
      assert.match(String(res.headers['content-type']), /^application\/atom\+xml; charset=utf-8/);
      const xml = asText(res);
      assert.ok(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>'));
      const file = path.join(mkdtempSync(path.join(tmpdir(), 'atom-')), 'feed.xml');
      writeFileSync(file, xml);
      try {
        execFileSync('jing', ['-c', ATOM_SCHEMA, file], { stdio: 'pipe' });
      } catch (error) {
        assert.fail(`the feed does not validate as Atom:\n${String((error as { stdout?: Buffer }).stdout)}`);
      }
      // RFC 4287's rules beyond the grammar: an author for the feed, unique ids, an alternate link per entry.
      assert.match(
        xml,
        /<feed [^>]*>\s*<id>http:\/\/register\.test\/open-data\/statuswijzigingen\.atom<\/id>/,
      );
      assert.match(xml, /<author><name>[^<]+<\/name><\/author>/);
      const ids = [...xml.matchAll(/<id>(tag:[^<]+)<\/id>/g)].map((m) =>
        must(m[1], 'the pattern has a group'),
      );
      assert.equal(new Set(ids).size, ids.length);
      assert.equal((xml.match(/<entry>/g) ?? []).length, ids.length);
      assert.equal(
        (xml.match(/<link rel="alternate" type="text\/html" href="[^"]+\/hostingproviders\/\d{8}"\/>/g) ?? [])
          .length,
        ids.length,
      );
      const sequence = ids.map((id) => Number(id.split(':').pop()));
      assert.deepEqual(
        sequence,
        [...sequence].sort((a, b) => b - a),
      );
      // The newest: the rejection, its reason escaped and its control characters dropped.
      assert.match(
        xml,
        /<title>&#x3D;HYPERLINK\(&quot;https:\/\/evil\.example&quot;\): Aanvraag afgewezen<\/title>/,
      );
      assert.match(xml, /Bewijs &lt;onleesbaar&gt; &amp; onvolledig &quot;echt&quot;/);
    });

    it('holds at most the latest 100 changes', async () => {
      const provider = await givenProvider(demo.db.dataSource);
      for (let i = 0; i < 100; i++) {
        await givenStatusEvent(demo.db.dataSource, {
          providerId: provider.id,
          kind: i % 2 === 0 ? 'application_submitted' : 'application_withdrawn',
          effectiveAt: new Date(),
        });
      }
      const xml = asText(await getText(demo.app, '/open-data/statuswijzigingen.atom').expect(200));
      assert.equal((xml.match(/<entry>/g) ?? []).length, 100);
    });
  });
});
