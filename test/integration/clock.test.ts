import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { issueAttestation } from '../../src/attestation/attestation.service';
import { FixedClock } from '../../src/shared/clock';
import { addMonths } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { apiClient } from '../helpers/api';
import { testApp, testConfig, testKeyring, useTestApp } from '../helpers/app';

describe('the clock the app is given (AppDependencies.clock)', () => {
  const context = useTestApp();

  it('decides what a page and the API say: in 2030 an attestation issued today has expired', async () => {
    const today = new Date();
    const version = await givenCodeVersion(context.db.dataSource);
    const provider = await givenProvider(context.db.dataSource);
    await givenApproval(context.db.dataSource, provider, version, addMonths(today, -1), today);
    const { number } = await issueAttestation(
      context.db.dataSource,
      {
        providerId: provider.id,
        actor: 'test',
        publicBaseUrl: testConfig.publicBaseUrl,
        keyring: testKeyring,
      },
      today,
    );
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
});
