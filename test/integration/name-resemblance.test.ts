import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Provider } from '../../src/provider/provider.entity';
import { flagResemblingName } from '../../src/register/name-resemblance.service';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, registrationFields } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { registered, signedIn } from '../helpers/session';

interface TaskRow {
  kind: string;
  detail: { name: string; resemblesName: string; resemblesKvk: string; match: string };
}

/** Issue 17 §2: a name that closely resembles a verified provider's, under another number, is flagged. */
describe('registrations whose name resembles a verified provider’s', () => {
  const context = useTestApp();
  const ds = () => context.db.dataSource;
  const tasksOf = (kvkNumber: string) =>
    ds().query<TaskRow[]>(
      `SELECT t.kind, t.detail FROM review_tasks t JOIN providers p ON p.id = t.provider_id
        WHERE p.kvk_number = $1 AND t.resolved_at IS NULL`,
      [kvkNumber],
    );
  /** A made-up word of random letters (with an o), so names of other tests never resemble. */
  const word = () => `Zqo${[...randomBytes(10)].map((b) => 'bcdfghjkmnpstwxz'[b % 16]).join('')}`;
  const register = async (legalName: string, tradeNames = '') => {
    const fields = registrationFields({ legalName, tradeNames });
    await registered(context.app, ds(), fields);
    return fields.kvkNumber;
  };

  for (const [verified, registered, match] of [
    ['{w} Hosting B.V.', '{w} BV', 'same'],
    ['{w} B.V.', '{W} N.V.', 'same'],
    ['{w} B.V.', '{w0} Cloud', 'same'],
    ['{w} B.V.', 'Stichting {w}', 'same'],
    ['{w}', '{w}en Hosting', 'similar'],
  ] as const) {
    it(`flags “${registered}” against the verified “${verified}” (${match})`, async () => {
      const w = word();
      const fill = (pattern: string) =>
        pattern.replace('{w0}', w.replace(/o/g, '0')).replace('{W}', w.toUpperCase()).replace('{w}', w);
      const original = await givenProvider(ds(), { legalName: fill(verified) });
      const kvkNumber = await register(fill(registered));
      const [task, ...more] = await tasksOf(kvkNumber);
      assert.equal(more.length, 0);
      assert.equal(task?.kind, 'name_resembles_verified');
      assert.equal(task.detail.resemblesKvk, original.kvkNumber);
      assert.equal(task.detail.resemblesName, fill(verified));
      assert.equal(task.detail.name, fill(registered));
      assert.equal(task.detail.match, match);
      const [event] = await ds().query<{ actor: string; data: { kind: string } }[]>(
        `SELECT actor, data FROM audit_events WHERE action = 'review_task.opened' AND subject_id = $1`,
        [(await ds().getRepository(Provider).findOneByOrFail({ kvkNumber })).id],
      );
      assert.equal(event?.data.kind, 'name_resembles_verified');
    });
  }

  it('compares trade names too, on both sides', async () => {
    const w = word();
    const original = await givenProvider(ds(), { legalName: `Anders ${word()} B.V.`, tradeNames: [w] });
    const kvkNumber = await register(`Iets ${word()} B.V.`, `Foo, ${w} Hosting`);
    const [task] = await tasksOf(kvkNumber);
    assert.equal(task?.detail.resemblesKvk, original.kvkNumber);
    assert.equal(task.detail.resemblesName, w);
    assert.equal(task.detail.name, `${w} Hosting`);
  });

  it('flags nothing for another name, nor for a resembling name whose provider is not verified', async () => {
    const w = word();
    await givenProvider(ds(), { legalName: `${w} B.V.` }, { unconfirmed: true });
    await givenProvider(ds(), { legalName: `${word()} B.V.` });
    assert.deepEqual(await tasksOf(await register(`${w} B.V.`)), []);
    assert.deepEqual(await tasksOf(await register(`${word()} B.V.`)), []);
  });

  it('flagResemblingName never compares a provider with itself, and opens one task however often it runs', async () => {
    const w = word();
    const original = await givenProvider(ds(), { legalName: `${w} B.V.` });
    assert.equal(
      await ds().transaction((m) => flagResemblingName(m, original, new Date())),
      undefined,
      'its own name is no resemblance',
    );
    const copy = await givenProvider(ds(), { legalName: `${w} Hosting` }, { unconfirmed: true });
    for (let i = 0; i < 2; i++) {
      const found = await ds().transaction((m) => flagResemblingName(m, copy, new Date()));
      assert.equal(found?.resemblesKvk, original.kvkNumber);
    }
    assert.equal((await tasksOf(copy.kvkNumber)).length, 1);
  });

  it('shows the task in the reviewers’ queue and on the provider’s staff page, with a link to the provider it resembles', async () => {
    const w = word();
    const original = await givenProvider(ds(), { legalName: `${w} Hosting B.V.` });
    const kvkNumber = await register(`${w} B.V.`);
    const reviewer = await signedIn(context.app, await givenUser(ds(), 'reviewer'));
    const text = `de naam “${w} B.V.” lijkt op “${w} Hosting B.V.” (KvK ${original.kvkNumber}), een hostingprovider met bevestigde identiteit`;
    const queue = await reviewer.get('/beoordeling').expect(200);
    assert.ok(queue.text.includes(text), 'the queue names the task');
    await assertValidHtml(queue.text, 'queue with a name task');
    const page = await reviewer.get(`/beoordeling/hostingproviders/${kvkNumber}`).expect(200);
    assert.ok(page.text.includes(text), 'the staff page names the task');
    assert.ok(page.text.includes(`href="/beoordeling/hostingproviders/${original.kvkNumber}"`));
    assert.match(page.text, /data-identity-unconfirmed/);
    await assertValidHtml(page.text, 'staff page with a name task');
    const english = await reviewer.get(`/beoordeling/hostingproviders/${kvkNumber}?lang=en`).expect(200);
    assert.ok(english.text.includes(`the name “${w} B.V.” resembles “${w} Hosting B.V.”`));
  });
});
