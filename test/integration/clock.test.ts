import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { Application } from '../../src/application/application.entity';
import { inviteColleague } from '../../src/identity/invitation.service';
import { User } from '../../src/identity/user.entity';
import { Attestation } from '../../src/attestation/attestation.entity';
import { FixedClock } from '../../src/shared/clock';
import { addMonths } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { signedIn, submitForm } from '../helpers/session';
import { apiClient } from '../helpers/api';
import { testApp, useTestApp, givenIssuedAttestation } from '../helpers/app';

describe('the clock the app is given (AppDependencies.clock)', () => {
  const context = useTestApp();

  it('decides what a page and the API say: in 2030 an attestation issued today has expired', async () => {
    const today = new Date();
    const version = await givenCodeVersion(context.db.dataSource);
    const provider = await givenProvider(context.db.dataSource);
    await givenApproval(context.db.dataSource, provider, version, addMonths(today, -1), today);
    const { number } = await givenIssuedAttestation(context.db.dataSource, provider.id, today);
    const onTheDay = testApp(context.db.dataSource, { clock: new FixedClock(today) }).app;
    const in2030 = testApp(context.db.dataSource, { clock: new FixedClock('2030-06-15T10:00:00Z') }).app;

    const stateIn = async (app: Express) =>
      ((await apiClient(app).get(`/api/v1/verklaringen/${number}`)).body as { status: string }).status;
    assert.equal(await stateIn(onTheDay), 'valid');
    assert.equal(await stateIn(in2030), 'expired');
    // The bulk check proposes today as its date: the app's today, not the machine's.
    const form = await request(in2030).get('/controleren/lijst').expect(200);
    assert.match(
      form.text,
      /name="peildatum"[^>]*value="2030-06-15"|value="2030-06-15"[^>]*name="peildatum"/,
    );
  });

  it("judges an application's dates by the app's today, not the machine's", async () => {
    const { dataSource } = context.db;
    const codeVersion = await givenCodeVersion(dataSource);
    const provider = await givenProvider(dataSource);
    const who = await givenUser(dataSource, 'provider', { providerId: provider.id });
    // Later than the machine's clock, so the user's password predates the sign-in.
    const clock = new FixedClock('2027-03-10T10:00:00Z');
    const { app } = testApp(dataSource, { clock });
    const first = await signedIn(app, who);
    const start = await submitForm(first, '/account', '/aanvragen', {});
    const id = String(start.headers.location).split('/').pop() ?? '';
    // Each save signs in anew: a session ends 12 hours after sign-in, and the clock jumps days.
    const save = async () => {
      const agent = await signedIn(app, who);
      return submitForm(agent, `/aanvragen/${id}`, `/aanvragen/${id}`, {
        version: String((await dataSource.getRepository(Application).findOneByOrFail({ id })).version),
        codeOfConductVersionId: codeVersion.id,
        codeSignedOn: '2027-03-15',
        signatoryName: 'Jan Klok',
        signatoryRole: 'Directeur',
        aanSince: '2025-06-01',
        aanContactName: 'Anna AAN',
        aanContactEmail: 'aan@klok.example',
      });
    };
    const early = await save();
    assert.equal(early.status, 400, 'on 10 March, a signature dated 15 March lies in the future');
    assert.match(early.text, /href="#field-codeSignedOn"/);
    clock.set('2027-03-20T10:00:00Z');
    const later = await save();
    assert.equal(later.status, 303, later.text);
  });

  it('counts invitations per hour by the same clock that stamps them', async () => {
    const { dataSource } = context.db;
    const provider = await givenProvider(dataSource);
    const who = await givenUser(dataSource, 'provider', { providerId: provider.id });
    const inviter = await dataSource.getRepository(User).findOneByOrFail({ email: who.email });
    const limits = { perUserPerHour: 1, pendingPerProvider: 10 };
    const in2030 = new Date('2030-06-15T10:00:00Z');
    await inviteColleague(
      dataSource,
      inviter,
      'een@klok.example',
      'https://register.example',
      limits,
      in2030,
    );
    await assert.rejects(
      inviteColleague(dataSource, inviter, 'twee@klok.example', 'https://register.example', limits, in2030),
      'a second invitation within the hour is refused, whatever the machine says the time is',
    );
    const anHourLater = new Date(in2030.getTime() + 61 * 60 * 1000);
    await inviteColleague(
      dataSource,
      inviter,
      'twee@klok.example',
      'https://register.example',
      limits,
      anHourLater,
    );
  });

  it("dates an attestation's PDF by the moment of issue, not by the machine", async () => {
    const { dataSource } = context.db;
    const version = await givenCodeVersion(dataSource);
    const provider = await givenProvider(dataSource);
    const issuedAt = new Date('2030-06-15T10:00:00Z');
    await givenApproval(dataSource, provider, version, addMonths(issuedAt, -1), issuedAt);
    const attestation = await givenIssuedAttestation(dataSource, provider.id, issuedAt);
    const stored = await dataSource
      .getRepository(Attestation)
      .createQueryBuilder('a')
      .addSelect('a.pdf')
      .where('a.id = :id', { id: attestation.id })
      .getOneOrFail();
    const pdf = stored.pdf?.toString('latin1') ?? '';
    // The info dictionary's date (an indirect string) and the XMP metadata's.
    assert.match(pdf, /\(D:20300615100000Z\)/);
    assert.match(pdf, /<xmp:CreateDate>2030-06-15T10:00:00Z<\/xmp:CreateDate>/);
  });
});
