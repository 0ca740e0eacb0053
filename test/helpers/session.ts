import assert from 'node:assert/strict';
import type { Express } from 'express';
import request from 'supertest';
import { currentTotp } from '../../src/identity/totp';
import type { DataSource } from 'typeorm';
import { startApplication } from '../../src/application/application.service';
import { givenProvider } from '../factories/provider.factory';
import { givenUser, type TestUser } from '../factories/user.factory';
import { testConfig } from './app';
import { confirmationLinkTo } from './outbox';

export type Agent = ReturnType<typeof request.agent>;

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  assert.ok(token, 'the page has a form with a CSRF token');
  return token;
}

/** GETs `path` and answers the CSRF token of its form. */
export async function tokenFor(agent: Agent, path: string): Promise<string> {
  const res = await agent.get(path);
  assert.equal(res.status, 200, `GET ${path} answered ${res.status}`);
  return csrfFrom(res.text);
}

/** POSTs a form the way a browser does: with the page's CSRF token. */
export async function submitForm(
  agent: Agent,
  pagePath: string,
  action: string,
  fields: Record<string, string>,
) {
  const _csrf = await tokenFor(agent, pagePath);
  return agent
    .post(action)
    .type('form')
    .send({ ...fields, _csrf });
}

/** An agent signed in as `who`, through the real login form (and second factor when set up). */
export async function signedIn(app: Express, who: TestUser): Promise<Agent> {
  const agent = request.agent(app);
  const res = await submitForm(agent, '/inloggen', '/inloggen', { email: who.email, password: who.password });
  assert.equal(res.status, 303, `login of ${who.email} answered ${res.status}`);
  if (res.headers.location === '/inloggen/tweestaps') {
    assert.ok(who.totpSecret, 'a second factor is asked for, so the test user needs a secret');
    await who.forgetTotpStep?.();
    const second = await submitForm(agent, '/inloggen/tweestaps', '/inloggen/tweestaps', {
      code: currentTotp(who.totpSecret, who.email, new Date()),
    });
    assert.equal(second.status, 303, `second factor of ${who.email} answered ${second.status}`);
  }
  return agent;
}

/** A provider user of a new organisation, signed in, with a draft application of its own. */
export async function signedInApplicant(app: Express, dataSource: DataSource) {
  const organisation = await givenProvider(dataSource);
  const who = await givenUser(dataSource, 'provider', { providerId: organisation.id });
  const agent = await signedIn(app, who);
  const application = await startApplication(dataSource, who.user, testConfig, new Date());
  return { agent, who, applicationId: application.id };
}

/**
 * Registers an organisation through the form and confirms the address through the link in its mail
 * (the confirmation page's button): only then are the organisation and its user made.
 */
export async function registered(
  app: Express,
  dataSource: DataSource,
  fields: Record<string, string> & { email: string },
  agent: Agent = request.agent(app),
): Promise<Agent> {
  const sent = await submitForm(agent, '/registreren', '/registreren', fields);
  assert.equal(sent.status, 303, sent.text.slice(0, 500));
  assert.equal(sent.headers.location, '/e-mailadres-bevestigen');
  const link = await confirmationLinkTo(dataSource, fields.email);
  const confirmed = await submitForm(agent, link, link, {});
  assert.equal(confirmed.status, 200, confirmed.text.slice(0, 500));
  return agent;
}

/** Registers an organisation (see registered) and signs in: an agent of the new account. */
export async function registeredAndSignedIn(
  app: Express,
  dataSource: DataSource,
  fields: Record<string, string> & { email: string; password: string },
): Promise<Agent> {
  const agent = await registered(app, dataSource, fields);
  const login = await submitForm(agent, '/inloggen', '/inloggen', {
    email: fields.email,
    password: fields.password,
  });
  assert.equal(login.status, 303, `login after confirmation answered ${login.status}`);
  return agent;
}
