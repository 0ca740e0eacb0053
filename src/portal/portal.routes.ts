import { Router } from 'express';
import { organisationNameOf } from '../buyer/buyer.service';
import { supplierNameOf } from '../signals/signal-supplier.service';
import type { DataSource } from 'typeorm';
import type { SecurityEventRecorder } from '../audit/security-events';
import type { Config } from '../config';
import { EmailDto, REGISTRATION_FIELDS, RegistrationDto } from '../identity/account.dto';
import { inviteColleague, revokeInvitation } from '../identity/invitation.service';
import { isStaff } from '../identity/user.entity';
import { confirmRegistration, registerProvider } from '../register/registration.service';
import { confirmationLinkState, confirmEmail } from '../identity/email-confirmation.service';
import { secretBox, secretsKeyFor } from '../identity/secrets';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { type LoginLimiters, requireRole, requireUser, withCsrfToken } from '../web/auth';
import { setFormContext } from '../web/error-handler';
import { formLimits } from '../web/sign-in';
import { requestTime } from '../web/clock';
import { eherkenningClaimUrl, providerAccountModel } from './portal.view';
import { CLAIM_FIELDS, ClaimDto } from '../identity/claim.dto';
import { claimLinkKvk, claimLinkUsable, confirmClaim, submitClaim } from '../identity/claim.service';
import { checkedExtract, MAX_EXTRACT_BYTES } from '../identity/kvk-extract';
import { readUpload } from '../web/upload';

/** The claim form: its fields and one extract (PDF, PNG or JPEG, at most 10 MB). */
const CLAIM_UPLOAD = {
  field: 'extract',
  maxBytes: MAX_EXTRACT_BYTES,
  tooLargeKey: 'claim.extractTooLarge',
  keep: 'buffer',
  fields: 12,
} as const;

export interface PortalDependencies {
  dataSource: DataSource;
  config: Config;
  limiters: LoginLimiters;
  securityEvents: SecurityEventRecorder;
}

/**
 * The provider portal: a provider registering itself, and the account page, which brings the
 * organisation's applications, attestations and colleagues together.
 */
export function portalRoutes({ dataSource, config, limiters, securityEvents }: PortalDependencies): Router {
  const router = Router();
  const anyone = withCsrfToken;
  const { passwordFormLimit, limit, clientOf } = formLimits(limiters, securityEvents);
  const box = secretBox(secretsKeyFor(config));

  router.get(paths.signup, anyone, (_req, res) =>
    res.render('account/signup', { title: 'signup.title', values: {} }),
  );

  router.post(paths.signup, anyone, async (req, res) => {
    const values = formValues(req.body, REGISTRATION_FIELDS);
    // A refusal by a limit shows the long form again with what was typed, not a bare 429 page; a
    // number registered already shows the way forward (eHerkenning, or a claim).
    setFormContext(res, {
      view: 'account/signup',
      model: { title: 'signup.title', eherkenningLoginUrl: eherkenningClaimUrl(config) },
      values,
      keepOnTooMany: true,
    });
    await passwordFormLimit('signup')(req);
    const dto = await validated(RegistrationDto, values);
    // Counted once the form is valid (each such form keeps a pending registration or sends a mail):
    // per address, and per KvK number from any address (a short window: never a lock-out of the
    // owner, whose page then shows the ways no limit stands in: eHerkenning, the claim).
    await limit(req, 'registrationsPerIp', clientOf(req), undefined, 'errors.tooMany.registrationIp');
    await limit(req, 'registrationsPerKvk', dto.kvkNumber, undefined, 'errors.tooMany.registrationKvk');
    await registerProvider(dataSource, dto, config, box, requestTime(res));
    // The same answer whether the address was new or had an account: "check your mail".
    res.redirect(303, paths.confirmEmailSent);
  });

  // The confirmation link of a pending registration or of an account's address. Its page confirms
  // nothing by itself (mail scanners open links): it shows a button.
  router.get(paths.confirmEmail(), anyone, async (req, res) => {
    const link = await confirmationLinkState(dataSource, String(req.params.token), requestTime(res));
    res.status(link.state === 'usable' ? 200 : link.state === 'unknown' ? 404 : 410);
    res.render('account/confirm-email', {
      title: 'confirmEmail.title',
      invalid: link.state !== 'usable',
      email: link.state === 'usable' ? link.row.email : undefined,
    });
  });

  // The link of a pending registration makes the organisation and its user; any other is an
  // account's. A number (or address) registered meanwhile: nothing is made, and the way forward.
  router.post(paths.confirmEmail(), anyone, async (req, res) => {
    await passwordFormLimit('confirm')(req);
    const token = String(req.params.token);
    const registration = await confirmRegistration(dataSource, token, config, box, requestTime(res));
    if (registration?.outcome === 'registered') {
      const { legalName: organisation, kvkNumber } = registration.provider;
      return res.render('account/confirm-email', {
        title: 'confirmEmail.title',
        registered: { organisation, kvkNumber },
      });
    }
    if (registration?.outcome === 'buyer')
      return res.render('account/confirm-email', {
        title: 'confirmEmail.title',
        buyerRegistered: { organisation: registration.organisation.name },
      });
    if (registration?.outcome === 'buyerTaken')
      return res
        .status(409)
        .render('account/confirm-email', { title: 'confirmEmail.takenTitle', taken: 'email' });
    if (registration?.outcome === 'taken')
      return res.status(409).render('account/confirm-email', {
        title: 'confirmEmail.takenTitle',
        taken: registration.field,
        kvkNumber: registration.kvkNumber,
        eherkenningLoginUrl: eherkenningClaimUrl(config),
      });
    const user = await confirmEmail(dataSource, token, requestTime(res));
    if (!user)
      return res.status(410).render('account/confirm-email', { title: 'confirmEmail.title', invalid: true });
    res.render('account/confirm-email', { title: 'confirmEmail.title', done: true });
  });

  router.get(paths.claim, anyone, (req, res) => {
    const kvk = typeof req.query.kvk === 'string' && /^\d{8}$/.test(req.query.kvk) ? req.query.kvk : '';
    res.render('account/claim', { title: 'claim.title', values: { kvkNumber: kvk } });
  });

  // The same answer whatever the number: whether it is registered is told only to the confirmed address.
  router.post(paths.claim, anyone, async (req, res) => {
    setFormContext(res, { view: 'account/claim', model: { title: 'claim.title' }, values: {} });
    const file = await readUpload(req, CLAIM_UPLOAD);
    const values = formValues(req.body, CLAIM_FIELDS);
    // A refusal by the limit shows the form again with what was typed, not a bare 429 page.
    setFormContext(res, {
      view: 'account/claim',
      model: { title: 'claim.title' },
      values,
      keepOnTooMany: true,
    });
    // Submissions are limited per address; the limit per KvK number counts confirmed claims only
    // (see the confirmation below), so that claims nobody confirms cannot lock the owner out.
    await passwordFormLimit('claim')(req);
    const dto = await validated(ClaimDto, values);
    const extract = checkedExtract(file, 'extract');
    await submitClaim(dataSource, dto, extract, config, requestTime(res));
    res.redirect(303, paths.claimSent);
  });

  router.get(paths.claimSent, anyone, (_req, res) =>
    res.render('account/claim-sent', { title: 'claim.sentTitle' }),
  );

  router.get(paths.claimConfirm(), anyone, async (req, res) => {
    const usable = await claimLinkUsable(dataSource, String(req.params.token), requestTime(res));
    res
      .status(usable ? 200 : 404)
      .render('account/claim-confirm', { title: 'claim.confirmTitle', invalid: !usable });
  });

  router.post(paths.claimConfirm(), anyone, async (req, res) => {
    setFormContext(res, {
      view: 'account/claim-confirm',
      model: { title: 'claim.confirmTitle', invalid: true },
      values: {},
    });
    await passwordFormLimit('claim-confirm')(req);
    // Counted when a claim's address is proven: per KvK number, a few confirmed claims a day.
    const kvkNumber = await claimLinkKvk(dataSource, String(req.params.token), requestTime(res));
    if (kvkNumber) await limit(req, 'claimsPerKvk', kvkNumber);
    await confirmClaim(dataSource, String(req.params.token), config, requestTime(res));
    res.render('account/claim-confirm', { title: 'claim.confirmedTitle', confirmed: true });
  });

  router.get(paths.account, requireUser, async (req, res) => {
    const user = req.user!;
    if (isStaff(user)) {
      return res.render('account/staff', {
        title: 'account.title',
        secondFactorMissing: !user.totpEnabledAt,
      });
    }
    // A buyer's account (issue 18): how they hear of changes at watched suppliers.
    if (user.role === 'buyer') {
      return res.render('account/buyer', {
        title: 'account.title',
        organisationName: await organisationNameOf(dataSource, user),
        watchMail: user.watchMail,
        saved: req.query.meldingen === 'opgeslagen',
        values: {},
      });
    }
    // A signal supplier's account (issue 19): their organisation and the way to their signals.
    if (user.role === 'signal_supplier') {
      return res.render('account/signal-supplier', {
        title: 'account.title',
        organisationName: user.signalSupplierId
          ? await supplierNameOf(dataSource.manager, user.signalSupplierId)
          : undefined,
      });
    }
    const issuedNumber =
      typeof req.query.verklaring === 'string' ? req.query.verklaring.slice(0, 20) : undefined;
    res.render('account/provider', {
      ...(await providerAccountModel(dataSource, config, user, requestTime(res), issuedNumber)),
      values: {},
    });
  });

  router.post(paths.colleagues, ...requireRole(config, 'provider'), async (req, res) => {
    const values = formValues(req.body, ['email']);
    // A refused invitation shows the account page again, with the message and the typed address.
    setFormContext(res, {
      view: 'account/provider',
      load: async () => ({
        model: await providerAccountModel(dataSource, config, req.user!, requestTime(res)),
        values,
      }),
    });
    // Every try counts, refused ones too: the form cannot be used to probe addresses at speed.
    await limit(req, 'invitationsPerUser', req.user!.id, req.user!.id);
    await limit(req, 'invitationsPerProvider', req.user!.providerId!, req.user!.id);
    const dto = await validated(EmailDto, values);
    await inviteColleague(
      dataSource,
      req.user!,
      dto.email,
      config.publicBaseUrl,
      {
        perUserPerHour: config.invitationsPerUserPerHour,
        pendingPerProvider: config.pendingInvitationsPerProvider,
      },
      requestTime(res),
    );
    res.render('account/invited', { title: 'account.title', email: dto.email.toLowerCase() });
  });

  router.post(paths.revokeInvitation(), ...requireRole(config, 'provider'), async (req, res) => {
    await revokeInvitation(dataSource, req.user!, String(req.params.id), requestTime(res));
    res.redirect(303, `${paths.account}#invitations-heading`);
  });

  return router;
}
