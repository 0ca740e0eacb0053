import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { SecurityEventRecorder } from '../audit/security-events';
import type { Config } from '../config';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { type LoginLimiters, requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { formLimits } from '../web/sign-in';
import { readWatchMail, setWatchMail } from './watch-mail-setting.service';

export interface WatchRouteDependencies {
  dataSource: DataSource;
  config: Config;
  limiters: LoginLimiters;
  securityEvents: SecurityEventRecorder;
}

/** A buyer's own settings for the watch lists (issue 18): how they hear of changes. */
export function watchRoutes({
  dataSource,
  config,
  limiters,
  securityEvents,
}: WatchRouteDependencies): Router {
  const router = Router();
  const { limit, clientOf } = formLimits(limiters, securityEvents);

  router.post(paths.watchMail, ...requireRole(config, 'buyer'), async (req, res) => {
    const user = req.user!;
    const values = formValues(req.body, ['meldingen']);
    // A value that is none of the choices shows the account page again with the message.
    setFormContext(res, {
      view: 'account/buyer',
      model: { title: 'account.title', watchMail: user.watchMail },
      values,
      anchors: { meldingen: 'meldingen-at_once' },
    });
    // Each change writes an audit event: a few a quarter-hour per person and address is plenty.
    await limit(req, 'accountIp', `meldingen:${user.id}|${clientOf(req)}`, user.id);
    const mode = readWatchMail(values.meldingen);
    await setWatchMail(dataSource, user, mode, requestTime(res));
    res.redirect(303, `${paths.account}?meldingen=opgeslagen#meldingen`);
  });

  return router;
}
