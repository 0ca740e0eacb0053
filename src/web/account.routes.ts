import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { setFormContext } from './error-handler';
import { TooManyRequestsError, ValidationError } from '../shared/errors';
import { paths, safeReturnPath } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { EmailDto, InvitationAcceptDto, NewPasswordDto } from '../identity/account.dto';
import type { SecurityEventRecorder } from '../audit/security-events';
import {
  authenticate,
  changePassword,
  requestPasswordReset,
  resetPassword,
} from '../identity/account.service';
import { tokenUsable } from '../identity/account-token.service';
import { signalSupplierSuspended } from '../identity/account.queries';
import { acceptInvitation, invitationLinkState } from '../identity/invitation.service';
import {
  claimLoginAttempt,
  type LoginLimiters,
  requireUser,
  saveSession,
  SESSION_COOKIE,
  withCsrfToken,
} from './auth';
import { formLimits, regenerate, signIn } from './sign-in';
import { secretBox, secretsKeyFor } from '../identity/secrets';
import { enableSecondFactor, verifySecondFactor } from '../identity/second-factor.service';
import { newTotpSecret, totpEnrolment } from '../identity/totp';
import { needsEmailConfirmation, User } from '../identity/user.entity';
import { resendConfirmationLink } from '../identity/email-confirmation.service';
import { requestTime } from './clock';

export interface AccountDependencies {
  dataSource: DataSource;
  config: Config;
  limiters: LoginLimiters;
  securityEvents: SecurityEventRecorder;
}

/** Login with second factor, logout, password reset and change, accepting an invitation, second factor setup. */
export function accountRoutes({ dataSource, config, limiters, securityEvents }: AccountDependencies): Router {
  const router = Router();
  const anyone = withCsrfToken;
  const box = secretBox(secretsKeyFor(config));
  const { limit, passwordFormLimit, ipOf, clientOf } = formLimits(limiters, securityEvents);

  router.get(paths.login, anyone, (req, res) =>
    res.render('account/login', {
      title: 'login.title',
      values: { terug: safeReturnPath(req.query.terug) ?? '' },
    }),
  );

  router.post(paths.login, anyone, async (req, res) => {
    const values = formValues(req.body, ['email', 'password', 'terug']);
    const ip = ipOf(req);
    const client = clientOf(req);
    // Used before anything is checked (atomic, so parallel attempts cannot share a point); a
    // successful login gives it back.
    await limit(req, 'ip', client);
    setFormContext(res, { view: 'account/login', model: { title: 'login.title' }, values });
    if (!values.email || !values.password) {
      throw new ValidationError({
        ...(values.email ? {} : { email: ['validation.required'] }),
        ...(values.password ? {} : { password: ['validation.required'] }),
      });
    }
    const accountKey = values.email.trim().toLowerCase();
    const pairKey = `${accountKey}|${client}`;
    // Both limits are used before the password is checked, atomically: guesses sent in parallel
    // count one by one. A successful login gives them back.
    await limit(req, 'accountIp', pairKey);
    const attempt = await claimLoginAttempt(limiters, accountKey);
    if (attempt.waitSeconds) throw new TooManyRequestsError(attempt.waitSeconds);

    const { user, accountId } = await authenticate(dataSource, values.email, values.password).catch(
      async (error: unknown) => {
        // Turned away before the password was checked (the hashing gate): not a failed attempt.
        await Promise.all([
          limiters.accountFailures.reward(accountKey, 1),
          limiters.accountIp.reward(pairKey, 1),
        ]);
        throw error;
      },
    );
    if (!user) {
      await securityEvents({ kind: 'login_failed', ip, userId: accountId });
      if (attempt.delayStarted)
        await securityEvents({
          kind: 'rate_limited',
          ip,
          userId: accountId,
          data: { limit: 'accountDelay' },
        });
      throw new ValidationError({ email: ['login.failed'] });
    }
    await Promise.all([
      limiters.ip.reward(client, 1),
      limiters.accountFailures.delete(accountKey),
      limiters.accountDelay.delete(accountKey),
      limiters.accountIp.delete(pairKey),
    ]);
    // The right password, but the address is not confirmed: no session, a new link (a few an hour
    // at most), and the page a registration shows.
    if (needsEmailConfirmation(user)) {
      await resendConfirmationLink(dataSource, user, config.publicBaseUrl, requestTime(res));
      return res.redirect(303, paths.confirmEmailSent);
    }
    // The right password of a person whose signal supplier organisation is suspended (F22): told so,
    // and no session.
    if (user.signalSupplierId && (await signalSupplierSuspended(dataSource.manager, user.signalSupplierId)))
      throw new ValidationError({ email: ['login.supplierSuspended'] });
    const back = safeReturnPath(values.terug);
    if (user.totpEnabledAt) {
      await regenerate(req);
      req.session.pendingUserId = user.id;
      req.session.returnTo = back;
      await saveSession(req);
      return res.redirect(303, paths.loginSecondFactor);
    }
    res.redirect(303, await signIn(dataSource, req, user, 'password', requestTime(res), back));
  });

  router.get(paths.loginSecondFactor, anyone, (req, res) => {
    if (!req.session.pendingUserId) return res.redirect(303, paths.login);
    res.render('account/login-second-factor', { title: 'secondFactor.loginTitle', values: {} });
  });

  router.post(paths.loginSecondFactor, anyone, async (req, res) => {
    const pending = req.session.pendingUserId;
    if (!pending) return res.redirect(303, paths.login);
    const values = formValues(req.body, ['code']);
    setFormContext(res, {
      view: 'account/login-second-factor',
      model: { title: 'secondFactor.loginTitle' },
      values,
    });
    // The point is used before the code is checked: 40 guesses sent at once get 5 checks, not 40.
    await limit(req, 'secondFactor', pending, pending);
    if (!(await verifySecondFactor(dataSource, box, pending, values.code, requestTime(res)))) {
      await securityEvents({ kind: 'second_factor_failed', ip: ipOf(req), userId: pending });
      throw new ValidationError({ code: ['validation.totpInvalid'] });
    }
    await limiters.secondFactor.delete(pending);
    const user = await dataSource.getRepository(User).findOneByOrFail({ id: pending });
    res.redirect(303, await signIn(dataSource, req, user, 'second_factor', requestTime(res)));
  });

  router.post(paths.logout, (req, res) => {
    req.session.destroy(() => {
      res.clearCookie(SESSION_COOKIE);
      res.redirect(303, paths.home);
    });
  });

  router.get(paths.forgotPassword, anyone, (_req, res) =>
    res.render('account/forgot', { title: 'forgot.title', values: {} }),
  );

  router.post(paths.forgotPassword, anyone, async (req, res) => {
    const values = formValues(req.body, ['email']);
    setFormContext(res, { view: 'account/forgot', model: { title: 'forgot.title' }, values });
    await limit(req, 'ip', `reset:${clientOf(req)}`);
    const dto = await validated(EmailDto, values);
    await requestPasswordReset(dataSource, dto.email, config.publicBaseUrl, requestTime(res));
    res.render('account/forgot', { title: 'forgot.title', sent: true, values: {} });
  });

  router.get(paths.resetPassword(), anyone, async (req, res) => {
    const usable = await tokenUsable(
      dataSource,
      String(req.params.token),
      'password_reset',
      requestTime(res),
    );
    res.render('account/reset', { title: 'reset.title', invalid: !usable, values: {} });
  });

  router.post(paths.resetPassword(), anyone, async (req, res) => {
    const values = formValues(req.body, ['password', 'passwordConfirmation']);
    const token = String(req.params.token);
    await passwordFormLimit('reset')(req);
    // A dead link gets its page at once: nothing is hashed for it.
    if (!(await tokenUsable(dataSource, token, 'password_reset', requestTime(res))))
      return res.status(400).render('account/reset', { title: 'reset.title', invalid: true, values: {} });
    setFormContext(res, { view: 'account/reset', model: { title: 'reset.title' }, values });
    const dto = await validated(NewPasswordDto, values);
    await resetPassword(dataSource, token, dto, requestTime(res));
    res.render('account/reset', { title: 'reset.title', done: true, values: {} });
  });

  router.get(paths.invitation(), anyone, async (req, res) => {
    const link = await invitationLinkState(dataSource, String(req.params.token), requestTime(res));
    // A dead link shows the same clear page, with a status that says so: never issued, or gone
    // (used, revoked, expired, or its address has an account meanwhile).
    res.status(link.state === 'usable' ? 200 : link.state === 'unknown' ? 404 : 410);
    res.render('account/invitation', {
      title: 'invitation.title',
      invalid: link.state !== 'usable',
      invalidReason: link.state === 'taken' ? 'invitation.accountExists' : 'validation.linkInvalid',
      email: link.state === 'usable' ? link.row.email : undefined,
      values: {},
    });
  });

  router.post(paths.invitation(), anyone, async (req, res) => {
    const values = formValues(req.body, ['name', 'password', 'passwordConfirmation']);
    setFormContext(res, { view: 'account/invitation', model: { title: 'invitation.title' }, values });
    await passwordFormLimit('invitation')(req);
    const user = await acceptInvitation(
      dataSource,
      String(req.params.token),
      await validated(InvitationAcceptDto, values),
      requestTime(res),
    );
    res.redirect(303, await signIn(dataSource, req, user, 'invitation', requestTime(res)));
  });

  // "Check your mail": the same page after every registration and every login of an unconfirmed
  // account. The links it speaks of are confirmed in portal.routes.ts, with the registrations.
  router.get(paths.confirmEmailSent, anyone, (_req, res) =>
    res.render('account/confirm-email', { title: 'confirmEmail.sentTitle', sent: true }),
  );

  router.get(paths.secondFactorSetup, requireUser, async (req, res) => {
    const user = req.user!;
    if (user.totpEnabledAt) {
      const sealed = req.session.recoveryCodes;
      delete req.session.recoveryCodes;
      return res.render('account/second-factor-setup', {
        title: 'secondFactor.title',
        enabled: true,
        recoveryCodes: sealed ? (JSON.parse(box.decrypt(sealed)) as string[]) : undefined,
      });
    }
    // Sealed with the secrets key: the sessions table (and its backups) never holds a seed in clear.
    req.session.enrolSecret ??= box.encrypt(newTotpSecret());
    const secret = box.decrypt(req.session.enrolSecret);
    const enrolment = await totpEnrolment(secret, user.email);
    res.render('account/second-factor-setup', {
      title: 'secondFactor.title',
      secret,
      qrDataUrl: enrolment.qrDataUrl,
      values: {},
    });
  });

  router.post(paths.secondFactorSetup, requireUser, async (req, res) => {
    const user = req.user!;
    const values = formValues(req.body, ['code']);
    const sealed = req.session.enrolSecret;
    if (user.totpEnabledAt || !sealed) return res.redirect(303, paths.secondFactorSetup);
    const secret = box.decrypt(sealed);
    const enrolment = await totpEnrolment(secret, user.email);
    setFormContext(res, {
      view: 'account/second-factor-setup',
      model: { title: 'secondFactor.title', secret, qrDataUrl: enrolment.qrDataUrl },
      values,
    });
    const codes = await enableSecondFactor(dataSource, box, user, secret, values.code, requestTime(res));
    req.session.recoveryCodes = box.encrypt(JSON.stringify(codes));
    req.session.secondFactorVerified = true;
    delete req.session.enrolSecret;
    // Saved before the redirect: the page after it shows the codes once, and must find them.
    await saveSession(req);
    res.redirect(303, paths.secondFactorSetup);
  });

  router.get(paths.changePassword, requireUser, (_req, res) =>
    res.render('account/password', { title: 'changePassword.title', values: {} }),
  );

  router.post(paths.changePassword, requireUser, async (req, res) => {
    const values = formValues(req.body, ['currentPassword', 'password', 'passwordConfirmation']);
    setFormContext(res, { view: 'account/password', model: { title: 'changePassword.title' }, values });
    await limit(req, 'accountIp', `change:${req.user!.id}|${clientOf(req)}`, req.user!.id);
    await changePassword(
      dataSource,
      req.user!,
      req.sessionID,
      {
        currentPassword: values.currentPassword ?? '',
        password: values.password ?? '',
        passwordConfirmation: values.passwordConfirmation ?? '',
      },
      requestTime(res),
    );
    await limiters.accountIp.delete(`change:${req.user!.id}|${clientOf(req)}`);
    res.render('account/password', { title: 'changePassword.title', done: true, values: {} });
  });

  return router;
}
