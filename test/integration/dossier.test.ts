import assert from 'node:assert/strict';
import request from 'supertest';
import { addDays, toLocalDate } from '../../src/shared/time';
import { useDossierWorld } from '../factories/history.factory';
import { CodeOfConductVersion } from '../../src/status/code-of-conduct-version.entity';
import { givenApproval, givenProvider, givenStatusEvent } from '../factories/provider.factory';
import { assertValidHtml } from '../helpers/html';

describe("the auditor's dossier", () => {
  const world = useDossierWorld();

  describe('GET /beoordeling/hostingproviders (staff search)', () => {
    it('finds a provider by name and by KvK number, and links to its staff page', async () => {
      for (const q of [world.history.provider.legalName.split(' ')[1]!, world.history.provider.kvkNumber]) {
        const res = await world.auditor.get(`/beoordeling/hostingproviders?q=${encodeURIComponent(q)}`);
        assert.equal(res.status, 200);
        assert.match(
          res.text,
          new RegExp(`href="/beoordeling/hostingproviders/${world.history.provider.kvkNumber}"`),
        );
      }
    });

    it('finds registrations nobody has confirmed yet, which the public search never shows', async () => {
      const hidden = await givenProvider(
        world.db.dataSource,
        { legalName: 'Verborgenwolk Onbevestigd B.V.' },
        { unconfirmed: true },
      );
      const staff = await world.auditor.get('/beoordeling/hostingproviders?q=verborgenwolk');
      assert.match(staff.text, new RegExp(`data-kvk="${hidden.kvkNumber}"`));
      assert.match(staff.text, /data-identity-unconfirmed/);
      const byKvk = await world.auditor.get(`/beoordeling/hostingproviders?q=${hidden.kvkNumber}`);
      assert.match(byKvk.text, new RegExp(`data-kvk="${hidden.kvkNumber}"`));
      const publicSearch = await world.auditor.get('/hostingproviders?q=verborgenwolk');
      assert.doesNotMatch(publicSearch.text, new RegExp(hidden.kvkNumber));
    });

    it('says nothing was found for the question, with a hint, not that the register is empty', async () => {
      // Not "molnrack": one typo per word is found now (Molenrack).
      const res = await world.auditor.get('/beoordeling/hostingproviders?q=xqzvbn');
      assert.equal(res.status, 200);
      assert.match(res.text, /data-no-results/);
      assert.match(res.text, /Geen hostingprovider gevonden die past bij ‘xqzvbn’/);
      assert.match(res.text, /Controleer de spelling/);
      assert.doesNotMatch(res.text, /nog geen hostingproviders/);
    });

    it('has the search form on the review queue and on the audit log page', async () => {
      for (const page of ['/beoordeling', '/beheer/auditlog']) {
        const res = await world.auditor.get(page);
        assert.match(
          res.text,
          /<form method="get" action="\/beoordeling\/hostingproviders"[^>]*data-staff-search/,
          page,
        );
      }
    });

    it('the public provider page links to the staff page for staff only', async () => {
      const url = `/hostingproviders/${world.history.provider.kvkNumber}`;
      assert.match((await world.auditor.get(url)).text, /data-staff-link/);
      const anonymous = await request(world.app).get(url);
      assert.doesNotMatch(anonymous.text, /data-staff-link/);
    });
  });

  describe('GET /beoordeling/hostingproviders/{kvk} (the staff page)', () => {
    it('shows each status change with who decided (name and role), the application and its evidence', async () => {
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}`,
      );
      assert.equal(res.status, 200);
      await assertValidHtml(res.text, 'staff provider page');
      const suspension =
        /<tr[^>]*data-event-id="\d+">(?:(?!<\/tr>)[\s\S])*Geschorst(?:(?!<\/tr>)[\s\S])*<\/tr>/.exec(
          res.text,
        )?.[0];
      assert.ok(suspension, 'the suspension has its row');
      assert.match(suspension, /Abuse-meldingen niet binnen de termijn afgehandeld\./);
      assert.match(suspension, /Rita Rechtvaardig/);
      assert.match(suspension, /beoordelaar/);
      assert.match(suspension, new RegExp(`Rust op de goedkeuring van`));
      for (const file of world.history.evidence) {
        assert.ok(suspension.includes(file.filename), `${file.filename} in the suspension's row`);
        assert.ok(
          suspension.includes(file.sha256),
          `the SHA-256 of ${file.filename} in the suspension's row`,
        );
      }
      // The application section: evidence with uploader and download link, the messages.
      assert.match(
        res.text,
        new RegExp(`href="/aanvragen/${world.history.applicationId}/bewijsstukken/[0-9a-f-]{36}"`),
      );
      assert.match(res.text, /Petra Provider \(hostingprovider\)/);
      assert.match(res.text, /Gedragscode en AAN-bevestiging in orde\./);
    });

    it('answers the status on a date, and as the register knew it on a later day, with a note when records made later changed it', async () => {
      const kvk = world.history.provider.kvkNumber;
      const suspendedDay = toLocalDate(addDays(world.history.suspendedAt, 1));
      const plain = await world.auditor.get(`/beoordeling/hostingproviders/${kvk}?peildatum=${suspendedDay}`);
      assert.match(plain.text, /data-answer="suspended"/);

      // Known on a later day, nothing recorded afterwards changes that day's answer.
      const after = toLocalDate(addDays(world.history.suspendedAt, 2));
      const same = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${suspendedDay}&bekendOp=${after}`,
      );
      assert.match(same.text, /data-answer="suspended"/);
      assert.match(same.text, /data-unchanged-since/);
      assert.doesNotMatch(same.text, /data-later-records/);

      // An end of AAN participation recorded ten days after it took effect: as known before it was
      // recorded, a day after it took effect still looked verantwoord.
      const ds = world.db.dataSource;
      const provider = await givenProvider(ds);
      // The world's own code version: another one published would end it.
      const [version] = await ds
        .getRepository(CodeOfConductVersion)
        .find({ order: { publishedAt: 'ASC' }, take: 1 });
      await givenApproval(ds, provider, version!, addDays(world.now, -60), addDays(world.now, -60));
      await givenStatusEvent(
        ds,
        { providerId: provider.id, kind: 'aan_participation_ended', effectiveAt: addDays(world.now, -30) },
        addDays(world.now, -20),
      );
      const known = await world.auditor.get(
        `/beoordeling/hostingproviders/${provider.kvkNumber}?peildatum=${toLocalDate(addDays(world.now, -28))}&bekendOp=${toLocalDate(addDays(world.now, -25))}`,
      );
      assert.equal(known.status, 200);
      assert.match(known.text, /data-answer="verantwoord"/);
      assert.match(known.text, /data-later-records/);
      assert.match(known.text, /Na .* is er meer vastgelegd/);
    });

    it('answers a day asked as known on an earlier day: the register could not know it yet, no forecast', async () => {
      const kvk = world.history.provider.kvkNumber;
      const day = toLocalDate(addDays(world.history.suspendedAt, 1));
      const knownOn = toLocalDate(addDays(world.history.suspendedAt, -1));
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${day}&bekendOp=${knownOn}`,
      );
      assert.equal(res.status, 200);
      assert.match(res.text, /data-answer="knownBeforeDate"/);
      assert.match(res.text, /lag .* nog in de toekomst: het register wist toen nog niet/);
      assert.doesNotMatch(res.text, /data-answer="verantwoord"|data-answer="suspended"/);
      const english = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${day}&bekendOp=${knownOn}&lang=en`,
      );
      assert.match(english.text, /was still in the future: the register did not yet know/);
      await world.auditor.get(`/beoordeling/hostingproviders/${kvk}?lang=nl`);
    });

    it('the answer itself says who decided, why and on what evidence, with a link to the history row', async () => {
      const kvk = world.history.provider.kvkNumber;
      const answerBlock = (html: string) =>
        /<div class="register-date-answer"(?:(?!<section)[\s\S])*<\/dl>/.exec(html)?.[0] ?? '';
      const suspended = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${toLocalDate(addDays(world.history.suspendedAt, 1))}`,
      );
      await assertValidHtml(suspended.text, 'staff page with a date answer and its grounds');
      const block = answerBlock(suspended.text);
      assert.match(block, /data-answer-grounds/);
      assert.match(block, /Rita Rechtvaardig \(beoordelaar\)/);
      assert.match(block, /Abuse-meldingen niet binnen de termijn afgehandeld\./);
      assert.match(block, /Rust op de goedkeuring van/);
      assert.match(block, new RegExp(`href="/beoordeling/aanvragen/${world.history.applicationId}"`));
      for (const file of world.history.evidence) {
        assert.ok(
          block.includes(file.filename) && block.includes(file.sha256),
          `${file.filename} in the answer`,
        );
      }
      const rowId = /href="#(wijziging-\d+)" data-history-link/.exec(block)?.[1];
      assert.ok(rowId, 'a link to the history row');
      assert.match(suspended.text, new RegExp(`<tr[^>]*id="${rowId}"[^>]*>(?:(?!</tr>)[\\s\\S])*Geschorst`));

      // A verantwoord day rests on the approval: who approved, the application and its evidence.
      const listed = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=${toLocalDate(addDays(world.history.approvedAt, 5))}`,
      );
      const approval = answerBlock(listed.text);
      assert.match(approval, /data-answer="verantwoord"/);
      assert.match(approval, /Vermelding goedgekeurd/);
      assert.match(approval, /Rita Rechtvaardig \(beoordelaar\)/);
      assert.match(approval, /besluit op aanvraag: Vermelding/);
      for (const file of world.history.evidence) assert.ok(approval.includes(file.sha256));
    });

    describe('every kind of date answer on the staff page', () => {
      const day = (d: Date) => toLocalDate(d);
      const cases: {
        name: string;
        query: () => string;
        answer: string;
        shows?: RegExp[];
        hides?: RegExp[];
      }[] = [
        {
          name: 'a peildatum tomorrow: not settled yet, as on the public pages',
          query: () => `peildatum=${day(addDays(world.now, 1))}`,
          answer: 'future',
          shows: [/ligt in de toekomst/],
        },
        {
          name: 'a peildatum tomorrow as known yesterday',
          query: () => `peildatum=${day(addDays(world.now, 1))}&bekendOp=${day(addDays(world.now, -1))}`,
          answer: 'future',
        },
        {
          name: 'a known-on day tomorrow',
          query: () => `peildatum=${day(addDays(world.now, -1))}&bekendOp=${day(addDays(world.now, 1))}`,
          answer: 'knownAtFuture',
        },
        {
          name: 'today: the state now',
          query: () => `peildatum=${day(world.now)}`,
          answer: 'verantwoord',
          shows: [/data-holds-for="now"/],
          hides: [/data-holds-for="end-of-day"/, /data-changed-that-day/],
        },
        {
          name: 'the day of the suspension: changed that day, the state at its end',
          query: () => `peildatum=${day(world.history.suspendedAt)}`,
          answer: 'suspended',
          shows: [/data-changed-that-day/, /data-holds-for="end-of-day"/],
          hides: [/data-holds-for="now"/],
        },
        {
          name: 'a day while suspended',
          query: () => `peildatum=${day(addDays(world.history.suspendedAt, 1))}`,
          answer: 'suspended',
          hides: [/data-changed-that-day/, /data-before-history/],
        },
        {
          name: 'a day while the application was pending',
          query: () => `peildatum=${day(addDays(world.history.approvedAt, -5))}`,
          answer: 'application_pending',
        },
        {
          name: 'a day before the first event',
          query: () => 'peildatum=2001-01-01',
          answer: 'not_listed',
          shows: [/data-before-history/, /stond deze hostingprovider nog niet in het register/],
        },
        {
          name: 'a listed day as known before that day came: no forecast',
          query: () =>
            `peildatum=${day(addDays(world.history.approvedAt, 5))}&bekendOp=${day(addDays(world.history.approvedAt, -45))}`,
          answer: 'knownBeforeDate',
          hides: [/data-later-records/, /data-before-history/],
        },
        {
          name: 'a day as known on that same day',
          query: () =>
            `peildatum=${day(addDays(world.history.suspendedAt, 1))}&bekendOp=${day(addDays(world.history.suspendedAt, 1))}`,
          answer: 'suspended',
        },
      ];
      for (const c of cases) {
        it(`${c.name}: ${c.answer}`, async () => {
          const res = await world.auditor.get(
            `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}?${c.query()}`,
          );
          assert.equal(res.status, 200, res.text.slice(0, 300));
          assert.equal(/data-answer="([a-zA-Z_]+)"/.exec(res.text)?.[1], c.answer);
          for (const re of c.shows ?? []) assert.match(res.text, re);
          for (const re of c.hides ?? []) assert.doesNotMatch(res.text, re);
        });
      }
    });

    it('a repeated peildatum is a 400 with a message, not a page without an answer', async () => {
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}?peildatum=2026-01-01&peildatum=2026-02-01`,
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /geef deze datum maar één keer/);
      assert.match(res.text, /value="2026-01-01"/);
      assert.doesNotMatch(res.text, /data-answer=/);
    });

    it('words the grounds of a row by its kind: a submission is no decision', async () => {
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}`,
      );
      const row = (kind: string) =>
        new RegExp(
          `<tr[^>]*data-event-id="\\d+">(?:(?!</tr>)[\\s\\S])*${kind}(?:(?!</tr>)[\\s\\S])*</tr>`,
        ).exec(res.text)?.[0] ?? '';
      assert.match(row('Aanvraag ingediend'), /ingediende aanvraag: Vermelding/);
      assert.doesNotMatch(row('Aanvraag ingediend'), /besluit op/);
      assert.match(row('Vermelding goedgekeurd'), /besluit op aanvraag: Vermelding/);
      // The column names who did it: the provider submits, a reviewer decides.
      assert.match(res.text, /<th scope="col" class="utrecht-table__header-cell">Door<\/th>/);
      assert.doesNotMatch(res.text, /Besloten door/);
    });

    it('a malformed peildatum or known-on date is a 400 with the form and a message, in both languages', async () => {
      const kvk = world.history.provider.kvkNumber;
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${kvk}?peildatum=2026-02-31&bekendOp=gisteren`,
      );
      assert.equal(res.status, 400);
      assert.match(res.text, /value="gisteren"/);
      assert.doesNotMatch(res.text, /data-answer=/);
      const en = await world.auditor.get(`/beoordeling/hostingproviders/${kvk}?bekendOp=2026-01-01&lang=en`);
      assert.equal(en.status, 400);
      assert.match(en.text, /fill in the reference date too/);
      await world.auditor.get('/beoordeling?lang=nl');
    });
  });

  describe('edges', () => {
    it('an unknown KvK number is a 404 for the page and the dossier', async () => {
      assert.equal((await world.auditor.get('/beoordeling/hostingproviders/00000001')).status, 404);
      assert.equal((await world.auditor.get('/beoordeling/hostingproviders/00000001/dossier')).status, 404);
    });

    it('a change recorded by the system shows as the system, not as a person', async () => {
      await givenStatusEvent(world.db.dataSource, {
        providerId: world.history.provider.id,
        kind: 'aan_participation_ended',
        effectiveAt: addDays(world.now, -1),
      });
      const res = await world.auditor.get(
        `/beoordeling/hostingproviders/${world.history.provider.kvkNumber}`,
      );
      assert.match(res.text, /test:factory <span class="register-history__detail">systeem/);
    });
  });
});
