import assert from 'node:assert/strict';
import request from 'supertest';
import { addDays } from '../../src/shared/time';
import {
  givenApproval,
  givenCodeVersion,
  givenProvider,
  givenStatusEvent,
} from '../factories/provider.factory';
import { useTestApp, givenIssuedAttestation } from '../helpers/app';

/* An attestation never promises validity past an end of its listing already known at issue. */
describe('the validity of a new attestation', () => {
  const context = useTestApp();

  async function listedAndIssued(before?: (providerId: string) => Promise<void>) {
    const ds = context.db.dataSource;
    const version = await givenCodeVersion(ds);
    const provider = await givenProvider(ds);
    await givenApproval(ds, provider, version, addDays(new Date(), -30));
    await before?.(provider.id);
    return givenIssuedAttestation(ds, provider.id, new Date());
  }

  it('ends at a planned end of AAN participation recorded before issue, and the verification page says so', async () => {
    const aanEnd = addDays(new Date(), 60);
    const attestation = await listedAndIssued((providerId) =>
      givenStatusEvent(context.db.dataSource, {
        providerId,
        kind: 'aan_participation_ended',
        effectiveAt: aanEnd,
        reason: 'Deelname loopt af.',
      }).then(() => undefined),
    );
    assert.equal(attestation.validUntil.toISOString(), aanEnd.toISOString());
    const page = await request(context.app).get(`/verificatie/${attestation.number}`);
    assert.match(page.text, new RegExp(`datetime="${aanEnd.toISOString()}"`));
  });

  it('ends at the announced lapse of the signed code version, not 12 months on, and the verification page says so', async () => {
    const lapse = addDays(new Date(), 90);
    // A successor announced before issue: published in 30 days, older versions accepted until its transition ends.
    await givenCodeVersion(context.db.dataSource, {
      publishedAt: addDays(new Date(), 30),
      transitionEndsAt: lapse,
    });
    const attestation = await listedAndIssued();
    assert.equal(attestation.validUntil.toISOString(), lapse.toISOString());
    const page = await request(context.app).get(`/verificatie/${attestation.number}`);
    assert.match(page.text, new RegExp(`datetime="${lapse.toISOString()}"`));
  });
});
