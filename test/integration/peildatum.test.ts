import assert from 'node:assert/strict';
import request from 'supertest';
import { FixedClock } from '../../src/shared/clock';
import { startOfLocalDay } from '../../src/shared/time';
import { demoKvkOf, useDemoRegister } from '../helpers/demo';
import { assertValidHtml } from '../helpers/html';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenApproval, givenProvider, givenStatusEvent } from '../factories/provider.factory';

const answerOf = (html: string) => /data-answer="([a-z_]+)"/.exec(html)?.[1];

describe('status on a date (peildatum)', () => {
  // The register as it stood on Monday 16 November 2026, seeded and asked on that day.
  const clock = new FixedClock('2026-11-16T10:00:00Z');
  const demo = useDemoRegister({ clock });

  it('answers "verantwoord" for a revoked provider on a date before the revocation, and "revoked" after it', async () => {
    const kvk = demoKvkOf('Hunebed');
    const before = await request(demo.app)
      .get(`/controleren?kvkNummer=${kvk}&peildatum=2026-07-19`)
      .expect(200);
    assert.equal(answerOf(before.text), 'verantwoord');
    await assertValidHtml(before.text, 'check page with an answer');
    const after = await request(demo.app)
      .get(`/controleren?kvkNummer=${kvk}&peildatum=2026-11-06`)
      .expect(200);
    assert.equal(answerOf(after.text), 'revoked');
  });

  it('answers on the provider page too', async () => {
    const res = await request(demo.app)
      .get(`/hostingproviders/${demoKvkOf('Tulpdata')}?peildatum=2026-01-20`)
      .expect(200);
    assert.equal(answerOf(res.text), 'verantwoord');
    await assertValidHtml(res.text, 'provider page with a date answer');
  });

  it('says a date before the first event was before the provider was in the register', async () => {
    const res = await request(demo.app)
      .get(`/controleren?kvkNummer=${demoKvkOf('Polderwolk')}&peildatum=2001-01-01`)
      .expect(200);
    assert.equal(answerOf(res.text), 'not_listed');
    assert.match(res.text, /stond deze hostingprovider nog niet in het register/);
  });

  it('does not answer for a date in the future, and says why', async () => {
    const res = await request(demo.app)
      .get(`/controleren?kvkNummer=${demoKvkOf('Polderwolk')}&peildatum=2026-11-17`)
      .expect(200);
    assert.equal(answerOf(res.text), 'future');
    assert.match(res.text, /ligt in de toekomst/);
  });

  it('answers an unknown KvK number plainly', async () => {
    const res = await request(demo.app)
      .get('/controleren?kvkNummer=12121212&peildatum=2026-01-01')
      .expect(200);
    assert.equal(answerOf(res.text), 'unknown');
  });

  for (const [kvk, date] of [
    ['1234', '2026-01-01'],
    ['99990001', '2026-02-30'],
    ['99990001', '01-01-2026'],
    ['99990001', '1899-01-01'],
  ]) {
    it(`answers kvkNummer=${kvk}&peildatum=${date} with a clear message, not an error`, async () => {
      const res = await request(demo.app).get(`/controleren?kvkNummer=${kvk}&peildatum=${date}`).expect(400);
      assert.match(res.text, /Er is iets niet goed ingevuld/);
      assert.ok(res.text.includes(`value="${date}"`), 'the typed date stays in the form');
    });
  }

  it('gives the state at the end of the day, and notes a change during that day', async () => {
    const provider = await givenProvider(demo.db.dataSource);
    // The demo's version 2.0 was in force in 2025.
    const version = await demo.db.dataSource
      .getRepository(CodeOfConductVersion)
      .findOneByOrFail({ label: '2.0' });
    await givenApproval(demo.db.dataSource, provider, version, startOfLocalDay('2025-03-01'), clock.now());
    // Suspended at 14:00 Dutch time on 10 June 2025.
    await givenStatusEvent(
      demo.db.dataSource,
      {
        providerId: provider.id,
        kind: 'suspended',
        effectiveAt: new Date(startOfLocalDay('2025-06-10').getTime() + 14 * 3600000),
        reason: 'Onderzoek',
      },
      clock.now(),
    );
    const day = await request(demo.app)
      .get(`/controleren?kvkNummer=${provider.kvkNumber}&peildatum=2025-06-10`)
      .expect(200);
    assert.equal(answerOf(day.text), 'suspended');
    assert.match(day.text, /de status veranderde op deze dag/);
    const dayBefore = await request(demo.app)
      .get(`/controleren?kvkNummer=${provider.kvkNumber}&peildatum=2025-06-09`)
      .expect(200);
    assert.equal(answerOf(dayBefore.text), 'verantwoord');
    assert.doesNotMatch(dayBefore.text, /de status veranderde op deze dag/);
  });

  it('notes no change on a day when only an application was submitted and approved while verantwoord', async () => {
    // The Polderwolk case: verantwoord all day; a renewal was submitted at 09:00 and approved at 15:00.
    const provider = await givenProvider(demo.db.dataSource);
    const version = await demo.db.dataSource
      .getRepository(CodeOfConductVersion)
      .findOneByOrFail({ label: '2.0' });
    await givenApproval(demo.db.dataSource, provider, version, startOfLocalDay('2025-03-01'), clock.now());
    const hour = (h: number) => new Date(startOfLocalDay('2025-09-10').getTime() + h * 3600000);
    await givenStatusEvent(
      demo.db.dataSource,
      { providerId: provider.id, kind: 'application_submitted', effectiveAt: hour(9) },
      clock.now(),
    );
    await givenApproval(demo.db.dataSource, provider, version, hour(15), clock.now());
    for (const url of [
      `/controleren?kvkNummer=${provider.kvkNumber}&peildatum=2025-09-10`,
      `/hostingproviders/${provider.kvkNumber}?peildatum=2025-09-10`,
    ]) {
      const res = await request(demo.app).get(url).expect(200);
      assert.equal(answerOf(res.text), 'verantwoord', url);
      assert.doesNotMatch(res.text, /de status veranderde op deze dag/, url);
    }
  });

  it('says once what the answer holds for: the end of a past day, or now for today', async () => {
    const kvk = demoKvkOf('Polderwolk');
    const past = await request(demo.app)
      .get(`/controleren?kvkNummer=${kvk}&peildatum=2026-11-10`)
      .expect(200);
    assert.match(past.text, /het antwoord geeft de stand aan het einde van die dag/i);
    assert.doesNotMatch(past.text, /van nu|voor nu/);
    // The FixedClock's day, 16 November 2026, is not over yet.
    const today = await request(demo.app).get(`/hostingproviders/${kvk}?peildatum=2026-11-16`).expect(200);
    assert.match(today.text, /het antwoord geeft de stand van nu/);
    assert.doesNotMatch(today.text, /einde van die dag|einde van de dag/);
  });

  it('answers a repeated peildatum with a 400 and a message, on the check page and the provider page', async () => {
    const kvk = demoKvkOf('Polderwolk');
    for (const url of [
      `/controleren?kvkNummer=${kvk}&peildatum=2026-01-01&peildatum=2026-02-01`,
      `/hostingproviders/${kvk}?peildatum=2026-01-01&peildatum=2026-02-01`,
    ]) {
      const res = await request(demo.app).get(url).expect(400);
      assert.match(res.text, /geef deze datum maar één keer/, url);
      assert.doesNotMatch(res.text, /data-answer=/, url);
    }
  });

  it('answers a peildatum tomorrow on the provider page as the future, as /controleren does', async () => {
    const res = await request(demo.app)
      .get(`/hostingproviders/${demoKvkOf('Polderwolk')}?peildatum=2026-11-17`)
      .expect(200);
    assert.equal(answerOf(res.text), 'future');
    assert.match(res.text, /ligt in de toekomst/);
  });
});
