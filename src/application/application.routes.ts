import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { refuseCrossSiteRead, requireRole } from '../web/auth';
import type { User } from '../identity/user.entity';
import type { Config } from '../config';
import { type LazyFormContext, setFormContext } from '../web/error-handler';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readUpload } from '../web/upload';
import { formValues, validated } from '../shared/validation';
import { APPLICATION_FIELDS, ApplicationDto, EvidenceDto } from './application.dto';
import type { Application } from './application.entity';
import {
  addEvidence,
  evidenceFile,
  evidenceFilename,
  MAX_EVIDENCE_BYTES,
  saveApplication,
  startApplication,
  submitApplication,
  withdrawApplication,
} from './application.service';
import { applicationOutlook } from './application-outlook';
import { applicationDetail, ownApplication } from './application-records';
import { providerMay } from './application-rules';
import { EVIDENCE_KINDS, type EvidenceKind } from './evidence.entity';
import { requestTime } from '../web/clock';

/** One PDF, streamed, refused above 10 MB while it arrives; kept in memory for the database. */
const EVIDENCE_UPLOAD = {
  field: 'file',
  maxBytes: MAX_EVIDENCE_BYTES,
  tooLargeKey: 'validation.fileTooLarge',
  keep: 'buffer',
} as const;

export function applicationValues(application: Application): Record<string, string> {
  return Object.fromEntries(APPLICATION_FIELDS.map((f) => [f, String(application[f] ?? '')]));
}

/** The model of the provider's application page. */
export async function applicationPage(
  dataSource: DataSource,
  application: Application,
  config: Config,
  now: Date,
) {
  const detail = await applicationDetail(dataSource, application, now);
  const outlook = await applicationOutlook(dataSource.manager, application, config, now);
  // A move to a newer code version offers only the versions newer than the listing's own.
  const offered = detail.versions.filter(
    (v) => !outlook?.offerAfter || v.publishedAt.getTime() > outlook.offerAfter.getTime(),
  );
  return {
    title: 'application.title',
    application,
    ...detail,
    outlook,
    editable: providerMay('save', application.state),
    withdrawable: providerMay('withdraw', application.state),
    versionOptions: offered.map((v) => ({ value: v.id, label: `${v.label} – ${v.title}` })),
    evidenceKindOptions: EVIDENCE_KINDS.map((k) => ({ value: k, labelKey: `evidence.kind.${k}` })),
  };
}

/** A provider's own applications: only that organisation's users reach them. */
export function applicationRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const providerOnly = requireRole(config, 'provider');

  async function showPage(user: User, id: string, now: Date, values?: Record<string, string>) {
    const application = await ownApplication(dataSource.manager, user, id);
    const model = await applicationPage(dataSource, application, config, now);
    return { model, values: values ?? applicationValues(application) };
  }

  /** The page again after a refused POST, with what was typed or else what is stored; built only then. */
  const pageAgain = (user: User, id: string, now: Date, typed?: Record<string, string>): LazyFormContext => ({
    view: 'application/application',
    load: () => showPage(user, id, now, typed),
  });

  router.post(paths.applications, ...providerOnly, async (req, res) => {
    const application = await startApplication(dataSource, req.user!, config, requestTime(res));
    res.redirect(303, paths.application(application.id));
  });

  router.get(paths.application(), ...providerOnly, async (req, res) => {
    const { model, values } = await showPage(req.user!, String(req.params.id), requestTime(res));
    res.render('application/application', { ...model, values });
  });

  router.post(paths.application(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, [...APPLICATION_FIELDS, 'version']);
    setFormContext(res, pageAgain(req.user!, id, requestTime(res), values));
    await saveApplication(
      dataSource,
      req.user!,
      id,
      await validated(ApplicationDto, values, { now: requestTime(res) }),
      values.version,
      requestTime(res),
    );
    res.redirect(303, `${paths.application(id)}?opgeslagen=1`);
  });

  router.post(paths.applicationEvidence(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    // Someone else's application is a 404 before a byte of the upload is read.
    await ownApplication(dataSource.manager, req.user!, id);
    setFormContext(res, pageAgain(req.user!, id, requestTime(res)));
    const file = await readUpload(req, EVIDENCE_UPLOAD);
    const dto = await validated(EvidenceDto, formValues(req.body, ['kind']));
    if (!file?.buffer) throw new ValidationError({ file: ['validation.fileRequired'] });
    await addEvidence(
      dataSource,
      req.user!,
      id,
      { kind: dto.kind as EvidenceKind, filename: file.originalName, content: file.buffer },
      config,
      requestTime(res),
    );
    res.redirect(303, `${paths.application(id)}#bewijsstukken`);
  });

  router.get(
    paths.evidence(),
    refuseCrossSiteRead(config),
    ...requireRole(config, 'provider', 'reviewer', 'auditor', 'admin'),
    async (req, res) => {
      const evidence = await evidenceFile(
        dataSource,
        req.user!,
        String(req.params.id),
        String(req.params.evidenceId),
        requestTime(res),
      );
      // Always a .pdf, whatever was uploaded under whatever name; RFC 6266 filename* keeps the letters.
      res.attachment(evidenceFilename(evidence.filename));
      res.set({
        'Content-Type': 'application/pdf',
        'Content-Length': String(evidence.size),
        'Cache-Control': 'private, no-store',
        'X-Content-SHA256': evidence.sha256,
      });
      res.send(evidence.content);
    },
  );

  router.post(paths.applicationSubmit(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    setFormContext(res, pageAgain(req.user!, id, requestTime(res)));
    await submitApplication(
      dataSource,
      req.user!,
      id,
      formValues(req.body, ['version']).version,
      config,
      requestTime(res),
    );
    res.redirect(303, paths.application(id));
  });

  router.post(paths.applicationWithdraw(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    await withdrawApplication(
      dataSource,
      req.user!,
      id,
      formValues(req.body, ['version']).version,
      requestTime(res),
    );
    res.redirect(303, paths.application(id));
  });

  return router;
}
