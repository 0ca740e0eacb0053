import { type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import { refuseCrossSiteRead, requireRole } from '../web/auth';
import type { User } from '../identity/user.entity';
import type { Config } from '../config';
import { type LazyFormContext, setFormContext } from '../web/error-handler';
import { ConflictError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readUpload } from '../web/upload';
import { evidenceFilename } from '../shared/file-names';
import { formValues, validated } from '../shared/validation';
import { APPLICATION_FIELDS, EvidenceDto } from './application.dto';
import type { Application } from './application.entity';
import {
  addEvidence,
  deleteEvidence,
  detailsComplete,
  detailsProblems,
  evidenceFile,
  keepTypedDetails,
  MAX_EVIDENCE_BYTES,
  replyToReviewer,
  shownDetails,
  startApplication,
  submitApplication,
  typicalReviewTime,
  withdrawApplication,
} from './application.service';
import { applicationOutlook } from './application-outlook';
import { applicationChangedMeanwhile } from './changed-meanwhile';
import { applicationDetail, ownApplication } from './application-records';
import {
  APPLICATION_STEPS,
  applicationStep,
  evidenceDeletable,
  providerMay,
  submissionProblems,
} from './application-rules';
import { EVIDENCE_KINDS, type EvidenceKind } from './evidence.entity';
import { requestTime } from '../web/clock';

/**
 * One PDF, streamed, refused above 10 MB while it arrives; kept in memory for the database. The
 * application page is one form, so it carries the details' fields and the reply too.
 */
const EVIDENCE_UPLOAD = {
  field: 'file',
  maxBytes: MAX_EVIDENCE_BYTES,
  tooLargeKey: 'validation.fileTooLarge',
  keep: 'buffer',
  fields: 20,
} as const;

/** The notices a redirect after a successful action asks the application page to show. */
const NOTICES = [
  'opgeslagen',
  'toegevoegd',
  'verwijderd',
  'alverwijderd',
  'verstuurd',
  'ingetrokken',
] as const;

/** The error summary's model for errors shown on a GET (typed details kept with their problems). */
function errorModel(problems: ValidationError | undefined) {
  if (!problems) return {};
  const list = Object.entries(problems.fields).map(([field, keys]) => ({
    field,
    key: keys[0],
    anchor: `field-${field}`,
  }));
  return {
    errors: Object.fromEntries(list.map((e) => [e.field, e.key])),
    errorList: list,
    ...(problems.params ? { messageParams: problems.params } : {}),
  };
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
  const kinds = detail.evidence.map((e) => e.kind);
  const step = applicationStep(
    application.state,
    application.submittedAt !== null,
    detailsComplete(application),
    kinds,
  );
  return {
    title: 'application.title',
    application,
    ...detail,
    evidence: detail.evidence.map((e) => ({
      ...e,
      deletable: evidenceDeletable(application.state, e.createdAt, application.submittedAt),
    })),
    outlook,
    editable: providerMay('save', application.state),
    withdrawable: providerMay('withdraw', application.state),
    replyable: providerMay('reply', application.state),
    steps: APPLICATION_STEPS.map((s) => ({
      step: s,
      current: s === step,
      done: APPLICATION_STEPS.indexOf(s) < APPLICATION_STEPS.indexOf(step),
    })),
    version: detail.allVersions.find((v) => v.id === application.codeOfConductVersionId),
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
    // What was sent wins; a field the form did not send shows as stored.
    return { model, values: { ...shownDetails(application), ...values } };
  }

  /** The page again after a refused POST, with what was typed or else what is shown; built only then. */
  const pageAgain = (user: User, id: string, now: Date, typed?: Record<string, string>): LazyFormContext => ({
    view: 'application/application',
    load: () => showPage(user, id, now, typed),
    meanwhile: () => applicationChangedMeanwhile(dataSource.manager, id, false),
  });

  /**
   * What the application form sent, whichever of its buttons was pressed: the typed details are
   * kept (saved, or kept as typed when they do not pass yet) and a chosen file is added, so no
   * action on the page loses what was typed or chosen. Answers what is wrong with the typed
   * details, if anything. A form without the details' fields (the reply form of a submitted
   * application) keeps nothing, unless `details` says the form is about the details (saving).
   */
  async function keepWhatWasSent(
    req: Request,
    res: Response,
    id: string,
    {
      also = [],
      details = false,
      keepInvalid = () => true,
    }: {
      also?: readonly string[];
      details?: boolean;
      /** Whether details that do not pass are kept as typed, decided on what the form sent. */
      keepInvalid?: (body: Record<string, unknown>) => boolean;
    } = {},
  ) {
    const user = req.user!;
    const now = requestTime(res);
    // Someone else's application is a 404 before a byte of the upload is read.
    await ownApplication(dataSource.manager, user, id);
    // A form posted without a file (the language switch, a plain form) is read already: its values
    // show again if the page is shown before the upload is read.
    const early = req.body ? formValues(req.body, [...APPLICATION_FIELDS, ...also, 'kind']) : undefined;
    setFormContext(res, pageAgain(user, id, now, early));
    const file = await readUpload(req, EVIDENCE_UPLOAD);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const carriesDetails = details || APPLICATION_FIELDS.some((f) => typeof body[f] === 'string');
    const typed = carriesDetails ? formValues(body, APPLICATION_FIELDS) : undefined;
    const extra = formValues(body, [...also, 'kind']);
    setFormContext(res, pageAgain(user, id, now, { ...typed, ...extra }));
    const problems = typed
      ? await keepTypedDetails(
          dataSource,
          user,
          id,
          typed,
          formValues(body, ['version']).version,
          now,
          keepInvalid(body),
        )
      : undefined;
    let added = false;
    if (file?.buffer) {
      try {
        const dto = await validated(EvidenceDto, formValues(body, ['kind']));
        await addEvidence(
          dataSource,
          user,
          id,
          { kind: dto.kind as EvidenceKind, filename: file.originalName, content: file.buffer },
          config,
          now,
        );
        added = true;
      } catch (error) {
        // The file's problem and the typed details' together, so the page names both at once.
        if (!(error instanceof ValidationError)) throw error;
        const draft = typed ? await detailsProblems(dataSource.manager, typed, now, true) : undefined;
        throw new ValidationError({ ...draft?.fields, ...error.fields }, undefined, {
          ...draft?.params,
          ...error.params,
        });
      }
    }
    return { problems, typed, added };
  }

  router.post(paths.applications, ...providerOnly, async (req, res) => {
    const application = await startApplication(dataSource, req.user!, config, requestTime(res));
    res.redirect(303, paths.application(application.id));
  });

  router.get(paths.application(), ...providerOnly, async (req, res) => {
    const now = requestTime(res);
    const { model, values } = await showPage(req.user!, String(req.params.id), now);
    // Details kept as typed show with what is wrong with them, until they are saved correctly.
    const kept = model.application.typedDetails
      ? await detailsProblems(dataSource.manager, values, now, true)
      : undefined;
    const notices = NOTICES.filter((n) => req.query[n] === '1');
    res.render('application/application', { ...model, values, notices, ...errorModel(kept) });
  });

  router.post(paths.application(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    // Saving (and going on to the check) refuses details that do not pass and stores none of them;
    // on the way to withdrawing they are kept as typed, since the provider leaves the page.
    const { problems, added } = await keepWhatWasSent(req, res, id, {
      details: true,
      keepInvalid: (body) => formValues(body, ['next']).next === 'withdraw',
    });
    const next = formValues(req.body, ['next']).next;
    // Withdrawing needs no complete details: what was typed is kept, the confirmation comes first.
    if (next === 'withdraw') return res.redirect(303, paths.applicationWithdraw(id));
    if (problems) throw problems;
    if (next === 'check') return res.redirect(303, paths.applicationCheck(id));
    res.redirect(303, `${paths.application(id)}?opgeslagen=1${added ? '&toegevoegd=1' : ''}#inhoud`);
  });

  router.post(paths.applicationEvidence(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    const { problems, typed, added } = await keepWhatWasSent(req, res, id);
    if (!added) {
      const draft =
        typed && problems
          ? await detailsProblems(dataSource.manager, typed, requestTime(res), true)
          : undefined;
      throw new ValidationError(
        { ...draft?.fields, file: ['validation.fileRequired'] },
        undefined,
        draft?.params,
      );
    }
    res.redirect(303, `${paths.application(id)}?toegevoegd=1#bewijsstukken`);
  });

  router.post(paths.evidenceDelete(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    await keepWhatWasSent(req, res, id);
    const outcome = await deleteEvidence(
      dataSource,
      req.user!,
      id,
      String(req.params.evidenceId),
      requestTime(res),
    );
    // Sent twice: the first did it; the page says so, with what was typed kept, instead of a 404.
    const notice = outcome === 'deleted' ? 'verwijderd' : 'alverwijderd';
    res.redirect(303, `${paths.application(id)}?${notice}=1#bewijsstukken`);
  });

  router.post(paths.applicationReply(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    await keepWhatWasSent(req, res, id, { also: ['reply'] });
    const { reply } = formValues(req.body, ['reply']);
    await replyToReviewer(dataSource, req.user!, id, reply, config, requestTime(res));
    res.redirect(303, `${paths.application(id)}?verstuurd=1#berichten`);
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

  /** The page that shows every answer before submitting, with what is still missing. */
  async function checkPage(user: User, id: string, now: Date) {
    const application = await ownApplication(dataSource.manager, user, id);
    const model = await applicationPage(dataSource, application, config, now);
    const problems = submissionProblems(
      detailsComplete(application),
      model.evidence.map((e) => e.kind),
    );
    return {
      ...model,
      title: 'application.check.title',
      problems: Object.values(problems).map(([key]) => key),
    };
  }

  router.get(paths.applicationCheck(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    const model = await checkPage(req.user!, id, requestTime(res));
    if (!providerMay('submit', model.application.state)) return res.redirect(303, paths.application(id));
    res.render('application/check', model);
  });

  router.post(paths.applicationSubmit(), ...providerOnly, async (req, res) => {
    const id = String(req.params.id);
    const now = requestTime(res);
    setFormContext(res, {
      view: 'application/check',
      load: async () => ({ model: await checkPage(req.user!, id, now), values: {} }),
    });
    await submitApplication(
      dataSource,
      req.user!,
      id,
      formValues(req.body, ['version']).version,
      config,
      now,
    );
    res.redirect(303, paths.applicationSubmitted(id));
  });

  /** After submitting: what happens next, and how long review usually takes (measured). */
  router.get(paths.applicationSubmitted(), ...providerOnly, async (req, res) => {
    const now = requestTime(res);
    const application = await ownApplication(dataSource.manager, req.user!, String(req.params.id));
    const model = await applicationPage(dataSource, application, config, now);
    res.render('application/submitted', {
      ...model,
      title: 'application.submitted.title',
      reviewTime: await typicalReviewTime(dataSource.manager, now),
    });
  });

  /** Withdrawing cannot be undone: this page asks first, its button does it. */
  router.get(paths.applicationWithdraw(), ...providerOnly, async (req, res) => {
    const application = await ownApplication(dataSource.manager, req.user!, String(req.params.id));
    if (!providerMay('withdraw', application.state))
      throw new ConflictError('application.notInState.withdraw', {
        backTo: paths.application(application.id),
        kind: 'notNow',
      });
    res.render('application/withdraw', {
      title: 'application.withdrawConfirm.title',
      application,
      ...(await applicationDetail(dataSource, application, requestTime(res))),
    });
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
    res.redirect(303, `${paths.application(id)}?ingetrokken=1`);
  });

  return router;
}
