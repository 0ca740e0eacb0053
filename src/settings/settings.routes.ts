import { actorOf } from '../audit/actor';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import { type Config, REVIEWER_NOTIFICATIONS } from '../config';
import { setFormContext } from '../web/error-handler';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { parseSettings, readSettings, updateSettings } from './settings.service';
import { requestTime } from '../web/clock';

const reviewerNotificationOptions = REVIEWER_NOTIFICATIONS.map((value) => ({
  value,
  labelKey: `settings.reviewerNotification.${value}`,
}));

/** Administrators change the register's settings; every change is an audit event. */
export function settingsRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');

  router.get(paths.settings, ...admins, async (req, res) => {
    const settings = await readSettings(dataSource.manager, config);
    res.render('settings/settings', {
      title: 'settings.title',
      messageParams: { renewalWindowDays: config.renewalWindowDays },
      saved: req.query.opgeslagen === '1',
      values: {
        listingValidityMonths: String(settings.listingValidityMonths),
        reminderDays: settings.reminderDays.join(', '),
        evidenceMaxFiles: String(settings.evidenceMaxFiles),
        evidenceMaxTotalMb: String(settings.evidenceMaxTotalMb),
        organisationName: settings.organisationName,
        contactEmail: settings.contactEmail,
        reviewerNotification: settings.reviewerNotification,
      },
      reviewerNotificationOptions,
    });
  });

  router.post(paths.settings, ...admins, async (req, res) => {
    const values = formValues(req.body, [
      'listingValidityMonths',
      'reminderDays',
      'evidenceMaxFiles',
      'evidenceMaxTotalMb',
      'organisationName',
      'contactEmail',
      'reviewerNotification',
    ]);
    setFormContext(res, {
      view: 'settings/settings',
      model: { title: 'settings.title', reviewerNotificationOptions },
      values,
    });
    const settings = parseSettings(values, config.renewalWindowDays);
    await updateSettings(dataSource, config, actorOf(req.user!), settings, requestTime(res));
    res.redirect(303, `${paths.settings}?opgeslagen=1`);
  });

  return router;
}
