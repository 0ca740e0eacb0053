import { type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import type { SecurityEventRecorder } from '../audit/security-events';
import type { Config } from '../config';
import type { EherkenningClient, EherkenningIdentity } from '../identity/eherkenning-client';
import { REFUSAL_STATUS, type RefusalReason } from '../identity/eherkenning-rules';
import { ORGANISATION_FIELDS, OrganisationDto, PERSON_FIELDS, PersonDto } from '../identity/account.dto';
import {
  createOrganisationByEherkenning,
  eherkenningStep,
  joinOrganisationByEherkenning,
  reportLoginAfterHandOver,
} from '../register/eherkenning-login.service';
import { NotFoundError } from '../shared/errors';
import { readSettings } from '../settings/settings.service';
import { paths, safeReturnPath } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { type LoginLimiters, saveSession, withCsrfToken } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { formLimits, signIn } from '../web/sign-in';

export interface EherkenningDependencies {
  dataSource: DataSource;
  config: Config;
  limiters: LoginLimiters;
  securityEvents: SecurityEventRecorder;
  /** The register as the broker's client; undefined: eHerkenning is off and these pages are not found. */
  client: EherkenningClient | undefined;
}

/** How long a checked login may wait for its organisation or join form. */
const IDENTITY_MINUTES = 30;

/**
 * eHerkenning through the broker's OpenID Connect: the start sends the browser to the broker with a
 * fresh state, nonce and PKCE challenge kept in the session; the callback uses them once, lets
 * openid-client exchange the code and check the ID token, then signs the person in, or asks for
 * the organisation (a number without one) or for their name and address (joining, or taking over).
 * Every refusal is one page that says what went wrong and what to do, and a security event.
 */
export function eherkenningRoutes({
  dataSource,
  config,
  limiters,
  securityEvents,
  client,
}: EherkenningDependencies): Router {
  const router = Router();
  const anyone = withCsrfToken;
  const { limit, ipOf, clientOf } = formLimits(limiters, securityEvents);

  const offered = (): EherkenningClient => {
    if (!client) throw new NotFoundError('eHerkenning is not configured');
    return client;
  };

  async function refuse(req: Request, res: Response, reason: RefusalReason, userId?: string) {
    await securityEvents({ kind: 'eherkenning_refused', ip: ipOf(req), userId, data: { reason } });
    res.status(REFUSAL_STATUS[reason]).render('eherkenning/refused', {
      title: 'eherkenning.refused.title',
      reasonKey: `eherkenning.refused.${reason}`,
      level: config.eherkenning?.assuranceLevel,
      contact: (await readSettings(dataSource.manager, config)).contactEmail,
      tryAgain: REFUSAL_STATUS[reason] !== 403,
    });
  }

  /** The checked login that waits for a form, while it is fresh; else undefined. */
  function waiting(req: Request, res: Response): (EherkenningIdentity & { returnTo?: string }) | undefined {
    const identity = req.session.eherkenningIdentity;
    if (!identity || requestTime(res).getTime() - identity.at > IDENTITY_MINUTES * 60_000) return undefined;
    return identity;
  }

  async function signInWith(
    req: Request,
    res: Response,
    identity: EherkenningIdentity & { returnTo?: string },
    user: Parameters<typeof signIn>[2],
  ) {
    const next = await signIn(dataSource, req, user, 'eherkenning', requestTime(res), identity.returnTo, {
      assuranceLevel: identity.level,
    });
    res.redirect(303, next);
  }

  router.get(paths.eherkenning, async (req, res) => {
    const broker = offered();
    await limit(req, 'ip', `eherkenning:${clientOf(req)}`);
    const started = await broker.start(requestTime(res));
    if ('reason' in started) return refuse(req, res, started.reason);
    req.session.eherkenningLogin = { ...started.pending, returnTo: safeReturnPath(req.query.terug) };
    delete req.session.eherkenningIdentity;
    // Saved before the browser leaves: the callback must find the state, nonce and verifier.
    await saveSession(req);
    res.redirect(303, started.url);
  });

  router.get(paths.eherkenningCallback, async (req, res) => {
    const broker = offered();
    const pending = req.session.eherkenningLogin;
    // Single use: gone before anything is checked, so a second callback finds nothing.
    delete req.session.eherkenningLogin;
    await saveSession(req);
    if (!pending) return refuse(req, res, 'no_login_started');
    const query = req.originalUrl.includes('?')
      ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1)
      : '';
    const result = await broker.complete(query, pending, requestTime(res));
    if (!result.ok) return refuse(req, res, result.reason);
    const step = await eherkenningStep(dataSource, result.identity);
    const identity = { ...result.identity, returnTo: pending.returnTo };
    if (step.kind === 'refused') {
      if (step.reason === 'handed_over' && step.userId)
        await reportLoginAfterHandOver(dataSource, step.userId, result.identity, requestTime(res));
      return refuse(req, res, step.reason, step.userId);
    }
    if (step.kind === 'signed_in') return signInWith(req, res, identity, step.user);
    req.session.eherkenningIdentity = { ...identity, at: requestTime(res).getTime() };
    await saveSession(req);
    res.redirect(303, step.kind === 'create' ? paths.eherkenningOrganisation : paths.eherkenningJoin);
  });

  /** The form's page model: the number (from the login) and, when joining, the organisation. */
  async function formStep(req: Request, res: Response, kind: 'create' | 'join') {
    offered();
    const identity = waiting(req, res);
    if (!identity) return undefined;
    const step = await eherkenningStep(dataSource, identity);
    if (step.kind === 'create' && kind === 'create') return { identity, step };
    if ((step.kind === 'join' || step.kind === 'takeover') && kind === 'join') return { identity, step };
    return undefined;
  }

  const organisationModel = (identity: EherkenningIdentity) => ({
    title: 'eherkenning.organisation.title',
    kvkNumber: identity.kvkNumber,
  });

  router.get(paths.eherkenningOrganisation, anyone, async (req, res) => {
    const found = await formStep(req, res, 'create');
    if (!found) return res.redirect(303, paths.login);
    res.render('eherkenning/organisation', { ...organisationModel(found.identity), values: {} });
  });

  router.post(paths.eherkenningOrganisation, anyone, async (req, res) => {
    const found = await formStep(req, res, 'create');
    if (!found) return res.redirect(303, paths.login);
    const values = formValues(req.body, ORGANISATION_FIELDS);
    setFormContext(res, {
      view: 'eherkenning/organisation',
      model: organisationModel(found.identity),
      values,
    });
    const user = await createOrganisationByEherkenning(
      dataSource,
      found.identity,
      await validated(OrganisationDto, values),
      config,
      requestTime(res),
    );
    await signInWith(req, res, found.identity, user);
  });

  const joinModel = (step: { kind: string; legalName?: string; kvkNumber: string }) => ({
    title: step.kind === 'takeover' ? 'eherkenning.takeover.title' : 'eherkenning.join.title',
    takeover: step.kind === 'takeover',
    legalName: step.legalName,
    kvkNumber: step.kvkNumber,
  });

  router.get(paths.eherkenningJoin, anyone, async (req, res) => {
    const found = await formStep(req, res, 'join');
    if (!found) return res.redirect(303, paths.login);
    res.render('eherkenning/join', { ...joinModel(found.step), values: {} });
  });

  router.post(paths.eherkenningJoin, anyone, async (req, res) => {
    const found = await formStep(req, res, 'join');
    if (!found) return res.redirect(303, paths.login);
    const values = formValues(req.body, PERSON_FIELDS);
    setFormContext(res, { view: 'eherkenning/join', model: joinModel(found.step), values });
    const user = await joinOrganisationByEherkenning(
      dataSource,
      found.identity,
      await validated(PersonDto, values),
      config,
      requestTime(res),
    );
    await signInWith(req, res, found.identity, user);
  });

  return router;
}
