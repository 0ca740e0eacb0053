import assert from 'node:assert/strict';
import { OutboxMail } from '../../src/mail/outbox-mail.entity';
import { providerDetail } from '../../src/register/provider.service';
import { dateInWords } from '../../src/shared/i18n';
import { addDays, addMonths, startOfLocalDay, toLocalDate } from '../../src/shared/time';
import { givenApproval, givenCodeVersion, givenProvider } from '../factories/provider.factory';
import { givenUser } from '../factories/user.factory';
import { useTestApp } from '../helpers/app';
import { assertValidHtml } from '../helpers/html';
import { type Agent, csrfFrom, signedIn } from '../helpers/session';
import { must } from '../../src/shared/must';

describe('publishing a code-of-conduct version', () => {
  const context = useTestApp();
  let admin: Agent;

  before(async () => {
    admin = await signedIn(context.app, await givenUser(context.db.dataSource, 'admin'));
  });

  const publish = async (fields: Record<string, string>) => {
    const page = await admin.get('/beheer/gedragscode');
    return admin
      .post('/beheer/gedragscode')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), ...fields });
  };

  it('tells providers on an older version by mail and on their account page; their status lapses by rule after the transition', async () => {
    const old = await givenCodeVersion(context.db.dataSource, {
      label: 'T-1',
      publishedAt: addMonths(new Date(), -24),
    });
    const provider = await givenProvider(context.db.dataSource);
    await givenApproval(context.db.dataSource, provider, old, addMonths(new Date(), -1));
    const user = await givenUser(context.db.dataSource, 'provider', { providerId: provider.id });
    const transitionEnds = toLocalDate(addDays(new Date(), 30));

    const res = await publish({
      versionLabel: 'T-2',
      versionTitle: 'Gedragscode T-2',
      publishedOn: toLocalDate(new Date()),
      transitionEndsOn: transitionEnds,
    });
    assert.equal(res.status, 303);
    const list = await admin.get('/beheer/gedragscode');
    assert.match(list.text, /data-version="T-2"/);
    await assertValidHtml(list.text, 'code versions');

    const mails = await context.db.dataSource.getRepository(OutboxMail).findBy({ recipient: user.email });
    assert.equal(mails.length, 1);
    const endsInWords = (language: 'nl' | 'en') => dateInWords(language, startOfLocalDay(transitionEnds));
    assert.match(must(mails[0], 'one mail').body, new RegExp(`geldig tot ${endsInWords('nl')}`));
    assert.match(must(mails[0], 'one mail').body, new RegExp(`valid until ${endsInWords('en')}`));
    const account = await (await signedIn(context.app, user)).get('/account');
    assert.match(account.text, /data-code-notice/);
    assert.match(account.text, /Versie T-2 van de gedragscode is gepubliceerd/);

    const now = await providerDetail(context.db.dataSource, provider.kvkNumber, new Date());
    assert.equal(now.status.verantwoord, true, 'still verantwoord during the transition');
    const after = await providerDetail(context.db.dataSource, provider.kvkNumber, addDays(new Date(), 31));
    assert.equal(after.status.verantwoord ? 'verantwoord' : after.status.reason, 'code_of_conduct_outdated');
  });

  it('refuses a taken label, a date in the past and a transition that ends too soon, keeping what was typed', async () => {
    const res = await publish({
      versionLabel: 'T-2',
      versionTitle: 'Nog een',
      publishedOn: '2020-01-01',
      transitionEndsOn: '2019-12-31',
    });
    assert.equal(res.status, 400);
    assert.match(res.text, /deze versie bestaat al/);
    assert.match(res.text, /geef een datum van vandaag of later/);
    assert.match(res.text, /value="Nog een"/);
  });

  it('is for administrators only', async () => {
    const reviewer = await signedIn(context.app, await givenUser(context.db.dataSource, 'reviewer'));
    assert.equal((await reviewer.get('/beheer/gedragscode')).status, 403);
  });
});
