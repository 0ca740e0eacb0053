import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole, withCsrfToken } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readUpload } from '../web/upload';
import { AanListRejected, importAanList, openReviewTasks } from './aan-import.service';
import { requestTime } from '../web/clock';

const AAN_UPLOAD = {
  field: 'bestand',
  maxBytes: 5 * 1024 * 1024,
  tooLargeKey: 'validation.fileTooLarge',
  keep: 'buffer',
} as const;

/** Administrators import the AAN participant list; the page also shows the tasks it raised. */
export function aanRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');
  const model = async () => ({ title: 'aan.title', tasks: await openReviewTasks(dataSource), values: {} });

  router.get(paths.aanImport, ...admins, withCsrfToken, async (_req, res) => {
    res.render('aan/import', await model());
  });

  router.post(paths.aanImport, ...admins, withCsrfToken, async (req, res) => {
    setFormContext(res, { view: 'aan/import', load: async () => ({ model: await model(), values: {} }) });
    const file = await readUpload(req, AAN_UPLOAD);
    if (!file?.buffer || file.size === 0) throw new ValidationError({ bestand: ['validation.fileRequired'] });
    try {
      const result = await importAanList(dataSource, file.buffer, req.user!.email, requestTime(res));
      res.render('aan/import', {
        ...(await model()),
        result,
        changes: result.changes.map((c) => ({
          ...c,
          changeKey: `aan.change.${c.change}`,
          url: paths.reviewProvider(c.kvkNumber),
        })),
      });
    } catch (error) {
      if (!(error instanceof AanListRejected)) throw error;
      res.status(400).render('aan/import', {
        ...(await model()),
        errors: { bestand: 'aan.rejected' },
        errorList: [{ field: 'bestand', key: 'aan.rejected', anchor: 'field-bestand' }],
        fileSha256: error.fileSha256,
        problems: error.problems.map((p) => ({ ...p, problemKey: `aan.problem.${p.problem}` })),
      });
    }
  });

  return router;
}
