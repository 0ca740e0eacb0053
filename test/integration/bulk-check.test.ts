import assert from 'node:assert/strict';
import request from 'supertest';
import { bulkCheck, parseBulkInput } from '../../src/check/bulk-check.service';
import { toLocalDate } from '../../src/shared/time';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { type Agent, tokenFor } from '../helpers/session';

describe('bulk check of a supplier list', () => {
  const demo = useDemoRegister();

  async function post(agent: Agent, fields: Record<string, string>, file?: Buffer) {
    const token = await tokenFor(agent, '/controleren/lijst');
    let req = agent.post('/controleren/lijst').field('_csrf', token);
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    if (file) req = req.attach('bestand', file, 'leveranciers.csv');
    return req;
  }

  const LIST = [
    `${demoKvkOf('Polderwolk')};contract A`,
    `${demoKvkOf('Grachtengordel')};contract B`,
    '12121212;onbekende leverancier',
    '1234;typfout',
    `${demoKvkOf('Polderwolk')};nog eens`,
    '',
    `${demoKvkOf('Hunebed')}`,
  ].join('\n');

  it('answers every line with its outcome and counts per outcome', async () => {
    const res = await post(request.agent(demo.app), {
      nummers: LIST,
      peildatum: new Date().toISOString().slice(0, 10),
      formaat: 'html',
    });
    assert.equal(res.status, 200);
    const outcomes = [...res.text.matchAll(/data-line="(\d+)" data-outcome="([a-z_]+)"/g)].map(
      (m) => `${m[1]}:${m[2]}`,
    );
    assert.deepEqual(outcomes, [
      '1:verantwoord',
      '2:niet_verantwoord',
      '3:onbekend',
      '4:ongeldig',
      '5:dubbel',
      '7:niet_verantwoord',
    ]);
    assert.match(res.text, /data-count="verantwoord">1</);
    assert.match(res.text, /data-count="niet_verantwoord">2</);
    assert.match(res.text, /zelfde als regel 1/);
    assert.match(res.text, /contract B/);
    await assertValidHtml(res.text, 'bulk check result');
  });

  it('downloads the result as CSV that Excel with Dutch settings opens as columns', async () => {
    const today = toLocalDate(new Date());
    const res = await post(request.agent(demo.app), { nummers: LIST, peildatum: today, formaat: 'csv' });
    assert.equal(res.status, 200);
    assert.match(String(res.headers['content-type']), /text\/csv; charset=utf-8/);
    assert.match(
      String(res.headers['content-disposition']),
      new RegExp(`attachment; filename="?controle-${today}\\.csv"?`),
    );
    const text = res.text;
    assert.ok(text.startsWith('\uFEFF'), 'a byte-order mark, so Excel reads UTF-8');
    const lines = text.slice(1).split('\r\n');
    assert.equal(lines[0], 'regel;kvk_nummer;referentie;naam;uitkomst;reden;peildatum;link');
    assert.equal(lines.length, 1 + 6 + 1, 'a header, six rows and a closing CRLF');
    assert.match(
      lines[2],
      new RegExp(`;niet_verantwoord;suspended;${today};http://register\\.test/hostingproviders/\\d{8}$`),
    );
  });

  it('takes an uploaded CSV file with a header line', async () => {
    const csv = Buffer.from(
      `\uFEFFKvK-nummer;Referentie\r\n${demoKvkOf('Polderwolk')};"inkoop, 2026"\r\n`,
      'utf8',
    );
    const res = await post(request.agent(demo.app), { peildatum: '2026-01-01', formaat: 'html' }, csv);
    assert.equal(res.status, 200);
    assert.match(res.text, /data-line="2" data-outcome="verantwoord"/);
    assert.match(res.text, /inkoop, 2026/);
  });

  it('refuses more than 10,000 lines, an empty list and a malformed date with a clear message', async () => {
    const tooMany = Array.from({ length: 10_001 }, (_, i) => String(10_000_000 + i)).join('\n');
    const res = await post(request.agent(demo.app), {
      nummers: tooMany,
      peildatum: '2026-01-01',
      formaat: 'html',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /meer dan 10\.000 regels/);
    const empty = await post(request.agent(demo.app), {
      nummers: ' \n ',
      peildatum: '2026-01-01',
      formaat: 'html',
    });
    assert.equal(empty.status, 400);
    const badDate = await post(request.agent(demo.app), {
      nummers: '12345678',
      peildatum: '2026-02-31',
      formaat: 'html',
    });
    assert.equal(badDate.status, 400);
    assert.match(badDate.text, /value="12345678"|>12345678</);
  });

  it('answers 10,000 numbers in one go', async () => {
    const rows = parseBulkInput(
      Array.from({ length: 10_000 }, (_, i) =>
        i % 2 ? demoKvkOf('Polderwolk') : String(20_000_000 + i),
      ).join('\n'),
    );
    const result = await bulkCheck(demo.db.dataSource, rows, '2026-01-01', new Date());
    assert.equal(result.rows.length, 10_000);
    assert.equal(result.counts.onbekend, 5000);
    assert.equal(result.counts.verantwoord + result.counts.dubbel, 5000);
  });

  it('reads separators, quotes, header and blank lines', () => {
    assert.deepEqual(
      parseBulkInput('kvk,ref\n12345678,a\n\n 8765 4321 ;"b;c"\n1234.5678\tt').map((r) => [
        r.line,
        r.kvkNumber,
        r.reference,
      ]),
      [
        [2, '12345678', 'a'],
        [4, '87654321', 'b;c'],
        [5, '12345678', 't'],
      ],
    );
  });
});
