import assert from 'node:assert/strict';
import request from 'supertest';
import { registrationFields } from '../factories/user.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { signedIn, tokenFor } from '../helpers/session';
import { must } from '../../src/shared/must';

/** A NUL, a bell, a C1 control, a right-to-left override, an isolate: what an attacker pastes. */
const BAD = { NUL: '\u0000', BEL: '\u0007', NEL: '\u0085', RLO: '\u202E', LRI: '\u2066' };

describe('control characters and text-direction overrides in any field', () => {
  const ctx = useTestApp();
  const providerCount = async () =>
    must(
      (await ctx.db.dataSource.query<{ n: number }[]>('SELECT count(*)::int AS n FROM providers'))[0],
      'a count gives one row',
    ).n;

  for (const [shown, bad] of Object.entries(BAD)) {
    it(`GET /hostingproviders?q= with ${shown} is a clear 400, not a 500`, async () => {
      const res = await request(ctx.app)
        .get('/hostingproviders')
        .query({ q: `polder${bad}wolk` });
      assert.equal(res.status, 400);
      assert.match(res.text, /stuurteken of richtingsteken/);
    });
  }

  it('refuses them in the check, the bulk check and the API search', async () => {
    await request(ctx.app)
      .get('/controleren')
      .query({ kvkNummer: '1234\u00005678', peildatum: '2026-01-01' })
      .expect(400);
    const agent = request.agent(ctx.app);
    const _csrf = await tokenFor(agent, '/controleren/lijst');
    await agent
      .post('/controleren/lijst')
      .type('form')
      .send({ _csrf, nummers: '12345678\u0000', peildatum: '2026-01-01' })
      .expect(400);
    const api = await request(ctx.app)
      .get('/api/v1/hostingproviders')
      .query({ zoekterm: 'polder\u202Ewolk' });
    assert.equal(api.status, 400);
    assert.equal(api.type, 'application/problem+json');
  });

  it('refuses them in the text fields of an upload form (multipart)', async () => {
    const agent = request.agent(ctx.app);
    const _csrf = await tokenFor(agent, '/controleren/lijst');
    const res = await agent
      .post('/controleren/lijst')
      .field('_csrf', _csrf)
      .field('nummers', '12345678\u202E')
      .field('peildatum', '2026-01-01');
    assert.equal(res.status, 400);
    assert.match(res.text, /stuurteken of richtingsteken/);
  });

  it('refuses them inside an uploaded supplier list, naming the line', async () => {
    const agent = request.agent(ctx.app);
    const _csrf = await tokenFor(agent, '/controleren/lijst');
    const res = await agent
      .post('/controleren/lijst')
      .field('_csrf', _csrf)
      .field('peildatum', '2026-01-01')
      .attach('bestand', Buffer.from('99990001;ref\n99990002;\u202Eevil\n'), 'lijst.csv');
    assert.equal(res.status, 400);
    assert.match(res.text, /regel 2 bevat een onzichtbaar stuurteken/);
    assert.ok(!res.text.includes('\u202E'), 'the override is not echoed back');
  });

  it('refuses them in the audit-log filters and exports instead of cutting the export off', async () => {
    const auditor = await signedIn(ctx.app, await givenUser(ctx.db.dataSource, 'auditor'));
    for (const url of ['/beheer/auditlog', '/beheer/auditlog.csv', '/beheer/auditlog.jsonl']) {
      const res = await auditor.get(url).query({ door: 'x\u0000y' });
      assert.equal(res.status, 400, `${url} answered ${res.status}`);
    }
  });

  it('refuses a registration whose name hides an override, and stores nothing', async () => {
    const agent = request.agent(ctx.app);
    const _csrf = await tokenFor(agent, '/registreren');
    const fields = registrationFields({ legalName: 'Polderwolk \u202Eb.v.' });
    const before = await providerCount();
    const res = await agent
      .post('/registreren')
      .type('form')
      .send({ ...fields, _csrf });
    assert.equal(res.status, 400);
    assert.match(res.text, /Statutaire naam/, 'the message names the field');
    const after = await providerCount();
    assert.equal(after, before);
  });

  it('still takes tabs and line breaks in a message', async () => {
    const res = await request(ctx.app).get('/hostingproviders').query({ q: 'polder\twolk\r\n' });
    assert.equal(res.status, 200);
  });
});
