import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import { formValues } from '../shared/validation';
import { codeVersionLapsesAt } from './status-rules';
import { publishCodeVersion } from './code-of-conduct.service';
import { loadCodeVersions, toCodeVersionFact } from './status-history';
import { requestTime } from '../web/clock';

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
      values: { publishedOn: toLocalDate(requestTime(res)) },
    });
  });

  router.post(paths.codeVersions, ...admins, async (req, res) => {
    const values = formValues(req.body, FIELDS);
    setFormContext(res, {
      view: 'status/code-versions',
      load: async () => ({ model: await model(), values }),
    });
    const now = requestTime(res);
    await dataSource.transaction((manager) =>
      publishCodeVersion(
        manager,
        { ...values, actor: req.user!.email, accountUrl: `${config.publicBaseUrl}${paths.account}` },
        now,
      ),
    );
    res.redirect(303, paths.codeVersions);
  });

  return router;
}
