import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import type { Config } from '../config';
import { mailProviderUsers } from '../mail/mail.service';
import { mailTexts } from '../mail/messages';
import { setFormContext } from '../web/error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { isPeildatum, startOfLocalDay, toLocalDate } from '../shared/time';
import type { FieldErrors } from '../shared/validation';
import { formValues } from '../shared/validation';
import { codeVersionLapsesAt } from './status-rules';
import { publishCodeOfConductVersion } from './code-of-conduct.service';
import { statusesAt } from './status.service';
import { loadCodeVersions, toCodeVersionFact } from './status-history';

const FIELDS = ['versionLabel', 'versionTitle', 'publishedOn', 'transitionEndsOn'] as const;

/**
 * Administrators publish a new code-of-conduct version with a transition period. Providers whose
 * listing rests on an older version are told by mail (and on their account page); when the period
 * ends their status lapses by the rules, without anyone acting.
 */
export function codeOfConductRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');
  const model = async () => {
    const versions = await loadCodeVersions(dataSource.manager);
    const facts = versions.map(toCodeVersionFact);
    return {
      title: 'codeVersions.title',
      versions: [...versions]
        .reverse()
        .map((v) => ({ ...v, lapsesAt: codeVersionLapsesAt(toCodeVersionFact(v), facts) })),
    };
  };

  router.get(paths.codeVersions, ...admins, async (_req, res) => {
    res.render('status/code-versions', {
      ...(await model()),
      values: { publishedOn: toLocalDate(new Date()) },
    });
  });

  router.post(paths.codeVersions, ...admins, async (req, res) => {
    const values = formValues(req.body, FIELDS);
    setFormContext(res, { view: 'status/code-versions', model: await model(), values });
    const now = new Date();
    const errors: FieldErrors = {};
    if (!/^[0-9A-Za-z.-]{1,20}$/.test(values.versionLabel))
      errors.versionLabel = ['codeVersions.invalidLabel'];
    if (!values.versionTitle || values.versionTitle.length > 200)
      errors.versionTitle = ['validation.required'];
    if (!isPeildatum(values.publishedOn) || values.publishedOn < toLocalDate(now))
      errors.publishedOn = ['codeVersions.invalidPublished'];
    if (!isPeildatum(values.transitionEndsOn) || values.transitionEndsOn <= values.publishedOn)
      errors.transitionEndsOn = ['codeVersions.invalidTransition'];
    const versions = await loadCodeVersions(dataSource.manager);
    if (versions.some((v) => v.label === values.versionLabel))
      errors.versionLabel = ['codeVersions.labelTaken'];
    const latest = versions.at(-1);
    if (!errors.publishedOn && latest && startOfLocalDay(values.publishedOn) <= latest.publishedAt)
      errors.publishedOn = ['codeVersions.notNewest'];
    if (Object.keys(errors).length > 0) throw new ValidationError(errors);

    const publishedAt = values.publishedOn === toLocalDate(now) ? now : startOfLocalDay(values.publishedOn);
    const transitionEndsAt = startOfLocalDay(values.transitionEndsOn);
    await dataSource.transaction(async (manager) => {
      const version = await publishCodeOfConductVersion(
        manager,
        { label: values.versionLabel, title: values.versionTitle, publishedAt, transitionEndsAt },
        req.user!.email,
      );
      // Everyone whose listing rests on an older version hears it now, in the same transaction.
      const names = new Map(
        (
          (await manager.query('SELECT id, legal_name FROM providers')) as {
            id: string;
            legal_name: string;
          }[]
        ).map((p) => [p.id, p.legal_name]),
      );
      const statuses = await statusesAt(manager, [...names.keys()], now);
      for (const [providerId, status] of statuses) {
        const listing = status.verantwoord ? status.listing : undefined;
        if (!listing || listing.codeOfConductVersionId === version.id) continue;
        const organisation = names.get(providerId) ?? '';
        await mailProviderUsers(manager, providerId, (to) =>
          mailTexts.newCodeVersion(
            to,
            organisation,
            version.label,
            values.transitionEndsOn,
            `${config.publicBaseUrl}${paths.account}`,
          ),
        );
      }
    });
    res.redirect(303, paths.codeVersions);
  });

  return router;
}
