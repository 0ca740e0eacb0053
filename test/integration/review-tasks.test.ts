import assert from 'node:assert/strict';
import { AuditEvent } from '../../src/audit/audit-event.entity';
import { givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';

describe('closing a review task', () => {
  const context = useTestApp();
  let reviewer: Agent;

  before(async () => {
    reviewer = await signedIn(context.app, await givenUser(context.db.dataSource, 'reviewer'));
  });

  /** An open review task of a new provider; answers its id and the provider's KvK number. */
  const givenTask = async () => {
    const provider = await givenProvider(context.db.dataSource);
    const [task] = await context.db.dataSource.query<{ id: string }[]>(
      `INSERT INTO review_tasks (provider_id, kind, created_at) VALUES ($1, 'aan_missing_from_list', now()) RETURNING id`,
      [provider.id],
    );
    return { id: String(must(task, 'RETURNING gives the row').id), provider };
  };
  const isOpen = async (id: string) => {
    const [row] = await context.db.dataSource.query<{ open: boolean }[]>(
      'SELECT resolved_at IS NULL AS open FROM review_tasks WHERE id::text = $1',
      [id],
    );
    return must(row, 'the task exists').open;
  };

  it('asks for a note in the queue; without one the task stays open and its page says why', async () => {
    const { id, provider } = await givenTask();
    const queue = await reviewer.get('/beoordeling');
    assert.ok(queue.text.includes(`id="note-${id}"`), 'the queue asks for the note');
    await assertValidHtml(queue.text, 'queue with a review task');
    const refused = await reviewer
      .post(`/beoordeling/taken/${id}/afgehandeld`)
      .type('form')
      .send({ _csrf: csrfFrom(queue.text), note: '   ' });
    assert.equal(refused.status, 400);
    assert.match(refused.text, /schrijf in een notitie wat u heeft nagekeken of gedaan/);
    assert.ok(refused.text.includes(provider.kvkNumber), 'the page names the provider');
    assert.match(refused.text, /href="#field-note"/);
    await assertValidHtml(refused.text, 'review task page with an error');
    assert.equal(await isOpen(id), true);
  });

  it('closes the task with the note, which goes into the audit event', async () => {
    const { id } = await givenTask();
    const page = await reviewer.get(`/beoordeling/taken/${id}/afgehandeld`);
    assert.equal(page.status, 200);
    await assertValidHtml(page.text, 'review task page');
    const done = await reviewer
      .post(`/beoordeling/taken/${id}/afgehandeld`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), note: 'Deelname nagevraagd: loopt door onder een nieuwe KvK.' });
    assert.equal(done.status, 303);
    assert.equal(await isOpen(id), false);
    const events = await context.db.dataSource
      .getRepository(AuditEvent)
      .findBy({ action: 'review_task.resolved' });
    const event = must(
      events.find((e) => (e.data as { taskId?: string }).taskId === id),
      'the closing is audited',
    );
    assert.equal(
      (event.data as { note?: string }).note,
      'Deelname nagevraagd: loopt door onder een nieuwe KvK.',
    );
    // Closed: the page says so, and the form is gone.
    const closed = await reviewer.get(`/beoordeling/taken/${id}/afgehandeld`);
    assert.equal(closed.status, 200);
    assert.match(closed.text, /Afgehandeld door Test reviewer op/);
    assert.doesNotMatch(closed.text, /<form method="post" action="\/beoordeling\/taken/);
  });

  it('says by whom and when a task was closed meanwhile, and keeps the typed note', async () => {
    const { id } = await givenTask();
    const page = await reviewer.get(`/beoordeling/taken/${id}/afgehandeld`);
    const other = await givenUser(context.db.dataSource, 'reviewer', { name: 'Bea Sneller' });
    const first = await signedIn(context.app, other);
    const otherPage = await first.get(`/beoordeling/taken/${id}/afgehandeld`);
    const closing = await first
      .post(`/beoordeling/taken/${id}/afgehandeld`)
      .type('form')
      .send({ _csrf: csrfFrom(otherPage.text), note: 'Al nagebeld.' });
    assert.equal(closing.status, 303);
    const note = 'Mijn eigen bevindingen, die ik niet kwijt wil.';
    const late = await reviewer
      .post(`/beoordeling/taken/${id}/afgehandeld`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), note });
    assert.equal(late.status, 400);
    assert.match(late.text, /deze taak is intussen al afgehandeld/);
    assert.match(late.text, /Afgehandeld door Bea Sneller op <time datetime="[^"]+">/);
    assert.ok(late.text.includes(note), 'the typed note is still there');
    await assertValidHtml(late.text, 'review task closed meanwhile');
    const notes = (
      await context.db.dataSource.getRepository(AuditEvent).findBy({ action: 'review_task.resolved' })
    )
      .filter((e) => (e.data as { taskId?: string }).taskId === id)
      .map((e) => (e.data as { note?: string }).note);
    assert.deepEqual(notes, ['Al nagebeld.'], 'closed once, by the first');
  });
});
