import { actorOf } from '../audit/actor';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole, withCsrfToken } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readUpload } from '../web/upload';
import { AanListIncomplete, AanListRejected, importAanList, openReviewTasks } from './aan-import.service';
import { aanImportSummary, aanRejectedIntroKey } from './aan-report';
import { AAN_LIST_MAX_BYTES } from './aan-list';
import { requestTime } from '../web/clock';
import type { Language } from '../shared/i18n';

const AAN_UPLOAD = {
  field: 'deelnemerslijst',
  maxBytes: AAN_LIST_MAX_BYTES,
  tooLargeKey: 'aan.fileTooLarge',
  keep: 'buffer',
} as const;

/** The AAN form's own labels in the error summary (the upload field's name is shared with other forms). */
const errorAt = (key: string) => ({
  errors: { deelnemerslijst: key },
  errorList: [{ field: 'deelnemerslijst', key, anchor: 'field-deelnemerslijst' }],
});

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
    // No file chosen: nothing was submitted, so nothing to audit. An empty file is a list, refused below.
    if (!file?.buffer) throw new ValidationError({ deelnemerslijst: ['aan.fileRequired'] });
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    const acceptIncomplete = body.onvolledig === 'ja';
    try {
      const result = await importAanList(dataSource, file.buffer, actorOf(req.user!), requestTime(res), {
        acceptIncomplete,
      });
      res.render('aan/import', {
        ...(await model()),
        result,
        summary: aanImportSummary(res.locals.lang as Language, result),
        changes: result.changes.map((c) => ({
          ...c,
          changeKey: `aan.change.${c.change}`,
          url: paths.reviewProvider(c.kvkNumber),
        })),
      });
    } catch (error) {
      if (error instanceof AanListIncomplete) {
        res.status(400).render('aan/import', {
          ...(await model()),
          ...errorAt('aan.incomplete'),
          fileSha256: error.fileSha256,
          incomplete: { missing: error.missing, count: error.missing.length, listed: error.listed },
        });
        return;
      }
      if (!(error instanceof AanListRejected)) throw error;
      res.status(400).render('aan/import', {
        ...(await model()),
        ...errorAt('aan.rejected'),
        fileSha256: error.fileSha256,
        problems: error.problems.map((p) => ({ ...p, problemKey: `aan.problem.${p.problem}` })),
        rejectedIntro: aanRejectedIntroKey(error.problems),
      });
    }
  });

  return router;
}
