import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { SecurityEventRecorder } from '../audit/security-events';
import type { Config } from '../config';
import { BUYER_REGISTRATION_FIELDS, BuyerRegistrationDto } from '../identity/account.dto';
import { secretBox, secretsKeyFor } from '../identity/secrets';
import { buyerOverview, renameBuyerOrganisation, setBuyerDisabled } from '../buyer/buyer.service';
import { checkBuyerDomain, registerBuyer } from '../register/registration.service';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { type LoginLimiters, requireRole, withCsrfToken } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { formLimits } from '../web/sign-in';

export interface BuyerDependencies {
  dataSource: DataSource;
  config: Config;
  limiters: LoginLimiters;
  securityEvents: SecurityEventRecorder;
}

/**
 * Buyers (inkopers, issue 18 §1): self-registration with an address of an allowed government
 * domain (the same pending registration and limits as a provider's), and the administrators' page
 * of buyer organisations and their accounts.
 */
export function buyerRoutes({ dataSource, config, limiters, securityEvents }: BuyerDependencies): Router {
  const router = Router();
  const box = secretBox(secretsKeyFor(config));
  const { passwordFormLimit, limit, clientOf } = formLimits(limiters, securityEvents);
  const admins = requireRole(config, 'admin');
  const signupModel = { title: 'buyerSignup.title', domains: config.buyerEmailDomains.join(', ') };

  router.get(paths.buyerSignup, withCsrfToken, (_req, res) =>
    res.render('account/buyer-signup', { ...signupModel, values: {} }),
  );

  router.post(paths.buyerSignup, withCsrfToken, async (req, res) => {
    const values = formValues(req.body, BUYER_REGISTRATION_FIELDS);
    setFormContext(res, { view: 'account/buyer-signup', model: signupModel, values, keepOnTooMany: true });
    await passwordFormLimit('buyer-signup')(req);
    const dto = await validated(BuyerRegistrationDto, values);
    // Before the limit: a refused domain keeps nothing and mails nobody, so it does not count.
    checkBuyerDomain(dto.email, config);
    // As a provider's registration: counted once the form is valid (each keeps a pending
    // registration or sends a mail), per client address.
    await limit(req, 'registrationsPerIp', clientOf(req), undefined, 'errors.tooMany.registrationIp');
    await registerBuyer(dataSource, dto, config, box, requestTime(res));
    // The same answer whether the address was new or had an account: "check your mail".
    res.redirect(303, paths.confirmEmailSent);
  });

  /** `typed`: a refused new name, kept in its organisation's box. */
  const adminModel = async (notice?: string, typed?: { id: string; name: string }) => ({
    title: 'buyers.title',
    notice,
    organisations: (await buyerOverview(dataSource)).map((organisation) => ({
      ...organisation,
      nameValue: typed?.id === organisation.id ? typed.name : organisation.name,
      nameUrl: paths.buyerOrganisationName(organisation.id),
      accounts: organisation.accounts.map((account) => ({
        ...account,
        statusUrl: paths.buyerStatus(account.id),
      })),
    })),
  });
  /** A refused change shows the page again, with the message at the top. */
  const pageAgain = (
    values: Record<string, string> = {},
    anchors?: Record<string, string>,
    typed?: { id: string; name: string },
  ) => ({
    view: 'account/buyers',
    load: async () => ({ model: await adminModel(undefined, typed), values }),
    anchors,
  });

  router.get(paths.buyers, ...admins, async (req, res) => {
    const notice = req.query.gewijzigd === '1' ? 'buyers.saved' : undefined;
    res.render('account/buyers', { ...(await adminModel(notice)), values: {} });
  });

  router.post(paths.buyerOrganisationName(), ...admins, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ['buyerOrganisationName']);
    setFormContext(
      res,
      pageAgain(
        {},
        { buyerOrganisationName: `organisation-name-${id}` },
        { id, name: values.buyerOrganisationName },
      ),
    );
    await renameBuyerOrganisation(dataSource, req.user!, id, values.buyerOrganisationName, requestTime(res));
    res.redirect(303, `${paths.buyers}?gewijzigd=1`);
  });

  router.post(paths.buyerStatus(), ...admins, async (req, res) => {
    setFormContext(res, pageAgain());
    const { action } = formValues(req.body, ['action']);
    // Only the two buttons' values: anything else is refused, never read as "disable".
    if (action !== 'enable' && action !== 'disable')
      throw new ValidationError({ buyerAccount: ['buyers.unknownAction'] });
    await setBuyerDisabled(
      dataSource,
      req.user!,
      String(req.params.id),
      action === 'disable',
      requestTime(res),
    );
    res.redirect(303, `${paths.buyers}?gewijzigd=1`);
  });

  return router;
}
