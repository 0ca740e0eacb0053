import { actorOf } from '../audit/actor';
import { Router } from 'express';
import { ConflictError, ValidationError } from '../shared/errors';
import { downloadExtract, MAX_EXTRACT_BYTES } from '../identity/kvk-extract';
import { claimProviderKvk, decideClaim, previewClaimApproval } from '../identity/claim.service';
import { readUpload } from '../web/upload';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import type { Config } from '../config';
import { openReviewTasks, resolveReviewTask, reviewTask } from '../aan/aan-import.service';
import { setFormContext } from '../web/error-handler';
import { offerResubmitInLanguage } from '../web/form-language';
import { paths } from '../shared/paths';
import { formValues, validated } from '../shared/validation';
import { DecisionDto, ProviderActionDto } from './application.dto';
import { applicationOutlook } from './application-outlook';
import { applicationChangedMeanwhile, providerChangedMeanwhile } from './changed-meanwhile';
import { anyApplication, applicationDetail } from './application-records';
import { actOnProvider, confirmProviderIdentity, previewProviderAction } from './provider-actions.service';
import { decide, previewDecision, reviewQueue, unconfirmedProviders } from './review.service';
import { decisionConfirmation, providerActionConfirmation, queueRow } from './review.view';
import { claimConfirmationModel, staffPageQuery, staffProviderModel } from './staff-provider.view';
import {
  CONFIRMED_PROVIDER_ACTIONS,
  CONFIRMED_REVIEW_ACTIONS,
  codeVersionStanding,
  type ProviderStatusAction,
  queueStates,
  QUEUE_FILTERS,
  reviewActions,
  signatureDateProblem,
  type ReviewAction,
} from './application-rules';
import { requestTime } from '../web/clock';
import { pageNumber } from '../web/paging';
import { signalFiguresOrder, signalReviewOverview } from '../signals/signal-review';

/** The reviewer's upload of the KvK extract they checked (PDF, PNG or JPEG, at most 10 MB). */
const EXTRACT_UPLOAD = {
  field: 'extract',
  maxBytes: MAX_EXTRACT_BYTES,
  tooLargeKey: 'claim.extractTooLarge',
  keep: 'buffer',
} as const;

/**
 * Where a decision form stands: sent from the form (to be confirmed), confirmed on the
 * confirmation page (`confirm=1`), or sent back from it to change (`edit=1`).
 */
function confirmationStep(body: unknown): 'form' | 'confirmed' | 'edit' {
  const { confirm, edit } = formValues(body, ['confirm', 'edit']);
  return edit === '1' ? 'edit' : confirm === '1' ? 'confirmed' : 'form';
}

/** The reviewers' side: the queue, decisions on applications, and status actions on providers. */
export function reviewRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const reviewer = requireRole(config, 'reviewer');
  // Auditors and admins may read what reviewers read; only reviewers decide.
  const staffReader = requireRole(config, 'reviewer', 'auditor', 'admin');

  router.get(paths.reviewQueue, ...staffReader, async (req, res) => {
    const { filter: state, states } = queueStates(req.query.status);
    const [queue, tasks, unconfirmed] = await Promise.all([
      reviewQueue(dataSource, states, pageNumber(req.query.page)),
      openReviewTasks(dataSource),
      unconfirmedProviders(dataSource),
    ]);
    // Page links keep the filter; the page itself is a shareable URL.
    const pageUrl = (page: number) =>
      `${paths.reviewQueue}?${new URLSearchParams({ ...(state ? { status: state } : {}), page: String(page) }).toString()}`;
    res.render('review/queue', {
      title: 'review.queueTitle',
      applications: queue.rows.map((a) => queueRow(a, requestTime(res))),
      total: queue.total,
      page: queue.page,
      pageCount: queue.pageCount,
      previousUrl: queue.page > 1 ? pageUrl(queue.page - 1) : undefined,
      nextUrl: queue.page < queue.pageCount ? pageUrl(queue.page + 1) : undefined,
      tasks,
      unconfirmed: unconfirmed.map((p) => ({ ...p, url: paths.reviewProvider(p.kvkNumber) })),
      state,
      filters: QUEUE_FILTERS.map((value) => ({
        value,
        labelKey: `application.state.${value}`,
        selected: value === state,
      })),
    });
  });

  // Issue 19: per provider, whether its signal matches were answered in time; counts only, no content.
  router.get(paths.reviewSignals, ...staffReader, async (req, res) => {
    const order = signalFiguresOrder(req.query.sorteer);
    const overview = await signalReviewOverview(
      dataSource,
      requestTime(res),
      order,
      pageNumber(req.query.page),
    );
    const pageUrl = (page: number) =>
      `${paths.reviewSignals}?${new URLSearchParams({ ...(order === 'overdue' ? { sorteer: 'achterstallig' } : {}), page: String(page) }).toString()}`;
    res.render('review/signals', {
      title: 'reviewSignals.title',
      ...overview,
      answerDays: config.signalAnswerDays,
      previousUrl: overview.page > 1 ? pageUrl(overview.page - 1) : undefined,
      nextUrl: overview.page < overview.pageCount ? pageUrl(overview.page + 1) : undefined,
      sorts: [
        { labelKey: 'reviewSignals.sortByName', url: paths.reviewSignals, current: order === 'name' },
        {
          labelKey: 'reviewSignals.sortByOverdue',
          url: `${paths.reviewSignals}?sorteer=achterstallig`,
          current: order === 'overdue',
        },
      ],
    });
  });

  // Closing a review task asks for a note: the queue's form, and this page when it is shown again.
  router.get(paths.reviewTaskResolve(), ...reviewer, async (req, res) => {
    const task = await reviewTask(dataSource, String(req.params.id));
    res.render('review/task', { title: 'reviewTask.title', task, values: {} });
  });

  router.post(paths.reviewTaskResolve(), ...reviewer, async (req, res) => {
    const id = String(req.params.id);
    await reviewTask(dataSource, id);
    const values = formValues(req.body, ['note']);
    // Read again when shown again: closed meanwhile, the page says by whom and when.
    setFormContext(res, {
      view: 'review/task',
      load: async () => ({
        model: { title: 'reviewTask.title', task: await reviewTask(dataSource, id) },
        values,
      }),
    });
    await resolveReviewTask(dataSource, id, actorOf(req.user!), values.note, requestTime(res));
    res.redirect(303, `${paths.reviewQueue}#review-tasks`);
  });

  async function applicationModel(id: string, canDecide: boolean, now: Date) {
    const application = await anyApplication(dataSource.manager, id);
    const detail = await applicationDetail(dataSource, application, now);
    const actions = reviewActions(application.state);
    const codeVersion = detail.allVersions.find((v) => v.id === application.codeOfConductVersionId);
    return {
      title: 'review.applicationTitle',
      application,
      ...detail,
      outlook: await applicationOutlook(dataSource.manager, application, config, now),
      codeVersion,
      // The version chosen, flagged while a successor's transition runs (or after it lapsed).
      codeVersionStanding: codeVersion
        ? codeVersionStanding(codeVersion, detail.allVersions, now)
        : undefined,
      // A signature dated before its version was published (or after today) cannot be approved either.
      signatureProblem:
        actions.includes('approve') && codeVersion && application.codeSignedOn
          ? signatureDateProblem(application.codeSignedOn, codeVersion.publishedAt, now)
          : undefined,
      // Approval rests on the signed version: say so before the reviewer tries.
      codeVersionNotAccepted:
        actions.includes('approve') &&
        !detail.versions.some((v) => v.id === application.codeOfConductVersionId),
      actions: canDecide ? actions.map((a) => ({ value: a, labelKey: `review.action.${a}` })) : [],
    };
  }

  router.get(paths.reviewApplication(), ...staffReader, async (req, res) => {
    const model = await applicationModel(
      String(req.params.id),
      req.user!.role === 'reviewer',
      requestTime(res),
    );
    res.render('review/application', { ...model, values: { version: String(model.application.version) } });
  });

  router.post(paths.reviewDecision(), ...reviewer, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ['action', 'message', 'version']);
    setFormContext(res, {
      view: 'review/application',
      load: async () => ({ model: await applicationModel(id, true, requestTime(res)), values }),
      meanwhile: () => applicationChangedMeanwhile(dataSource.manager, id, true),
    });
    const step = confirmationStep(req.body);
    // Back from the confirmation page: the form again, with everything typed.
    if (step === 'edit')
      return res.render('review/application', {
        ...(await applicationModel(id, true, requestTime(res))),
        values,
      });
    const dto = await validated(DecisionDto, values);
    const input = { action: dto.action as ReviewAction, message: dto.message, version: dto.version };
    if (step !== 'confirmed' && CONFIRMED_REVIEW_ACTIONS.includes(input.action)) {
      // An approval or rejection is not undone: first say what it does, storing nothing.
      const preview = await previewDecision(dataSource, req.user!, id, input, config, requestTime(res));
      offerResubmitInLanguage(req, res, values);
      return res.render('review/confirm', decisionConfirmation(preview, input, requestTime(res)));
    }
    await decide(dataSource, req.user!, id, input, config, requestTime(res));
    res.redirect(303, paths.reviewApplication(id));
  });

  router.get(paths.reviewProvider(), ...staffReader, async (req, res) => {
    const model = await staffProviderModel(
      dataSource,
      String(req.params.kvkNumber),
      req.user!,
      requestTime(res),
      staffPageQuery(req.query),
    );
    // After a decision on a claim, what happened (as after the other decisions).
    const asked = typeof req.query.claim === 'string' ? req.query.claim : '';
    const claimNotice = ({ goedgekeurd: 'approved', afgewezen: 'rejected' } as Record<string, string>)[asked];
    // A date that is no date answers 400 with the form and its message, never a guess.
    res
      .status(model.errorList.length ? 400 : 200)
      .render('review/provider', { ...model, claimNoticeKey: claimNotice && `claim.notice.${claimNotice}` });
  });

  router.post(paths.reviewProviderAction(), ...reviewer, async (req, res) => {
    const kvkNumber = String(req.params.kvkNumber);
    const values = formValues(req.body, ['action', 'reason', 'until', 'basis']);
    const staffModel = async () => staffProviderModel(dataSource, kvkNumber, req.user!, requestTime(res));
    setFormContext(res, {
      view: 'review/provider',
      load: async () => ({ model: await staffModel(), values }),
      meanwhile: () => providerChangedMeanwhile(dataSource.manager, kvkNumber, requestTime(res)),
    });
    const step = confirmationStep(req.body);
    if (step === 'edit') return res.render('review/provider', { ...(await staffModel()), values });
    const dto = await validated(ProviderActionDto, values);
    const input = { action: dto.action as ProviderStatusAction, reason: dto.reason, until: dto.until };
    const confirmed = CONFIRMED_PROVIDER_ACTIONS.includes(input.action);
    /** The confirmation page: what the action does, storing nothing; 409 with a notice when out of date. */
    const confirmationPage = async (stale: boolean) => {
      const preview = await previewProviderAction(dataSource, req.user!, kvkNumber, input, requestTime(res));
      offerResubmitInLanguage(req, res, values);
      res.status(stale ? 409 : 200).render('review/confirm', {
        ...providerActionConfirmation(preview, input, requestTime(res)),
        conflict: stale
          ? {
              key: 'review.confirm.statusChangedMeanwhile',
              params: {},
              meanwhile: await providerChangedMeanwhile(dataSource.manager, kvkNumber, requestTime(res)),
            }
          : undefined,
      });
    };
    // A suspension or revocation is public at once: first say what it does, storing nothing.
    if (confirmed && step !== 'confirmed') return confirmationPage(false);
    try {
      // The confirmation carries the basis its preview was computed on; a status that changed since is
      // shown anew, not acted on (checked under the provider's lock). A form sent without a basis (a
      // script) is checked against the status rules only, as any action is.
      await actOnProvider(
        dataSource,
        req.user!,
        kvkNumber,
        { ...input, basis: confirmed && values.basis ? values.basis : undefined },
        config,
        requestTime(res),
      );
    } catch (error) {
      if (error instanceof ConflictError && error.messageKey === 'review.confirm.statusChangedMeanwhile')
        return confirmationPage(true);
      throw error;
    }
    res.redirect(303, paths.reviewProvider(kvkNumber));
  });

  router.post(paths.reviewProviderIdentity(), ...reviewer, async (req, res) => {
    const kvkNumber = String(req.params.kvkNumber);
    const staffModel = async () => staffProviderModel(dataSource, kvkNumber, req.user!, requestTime(res));
    setFormContext(res, {
      view: 'review/provider',
      load: async () => ({ model: await staffModel(), values: {} }),
    });
    const file = await readUpload(req, EXTRACT_UPLOAD);
    await confirmProviderIdentity(dataSource, req.user!, kvkNumber, file, requestTime(res));
    res.redirect(303, paths.reviewProvider(kvkNumber));
  });

  router.post(paths.reviewClaimDecision(), ...reviewer, async (req, res) => {
    const id = String(req.params.id);
    const kvkNumber = await claimProviderKvk(dataSource, id);
    const values = { ...formValues(req.body, ['decision', 'reason']), claim: id };
    // A refusal shows next to the claim's own buttons, with the reason as typed.
    setFormContext(res, {
      view: 'review/provider',
      load: async () => ({
        model: await staffProviderModel(dataSource, kvkNumber, req.user!, requestTime(res)),
        values,
      }),
      anchors: { decision: `approve-${id}`, reason: `reason-${id}` },
    });
    const decision =
      values.decision === 'approve' ? 'approve' : values.decision === 'reject' ? 'reject' : undefined;
    if (!decision) throw new ValidationError({ decision: ['validation.invalid'] });
    const step = confirmationStep(req.body);
    if (step === 'edit') return res.redirect(303, `${paths.reviewProvider(kvkNumber)}#claims`);
    // Handing an organisation over is not undone: first say what it does (verified how, its status,
    // the accounts that lose access), storing nothing.
    if (decision === 'approve' && step !== 'confirmed') {
      const preview = await previewClaimApproval(dataSource, req.user!, id);
      return res.render(
        'review/claim-confirm',
        await claimConfirmationModel(dataSource, preview, requestTime(res)),
      );
    }
    await decideClaim(
      dataSource,
      req.user!,
      id,
      { decision, reason: values.reason },
      config,
      requestTime(res),
    );
    const notice = decision === 'approve' ? 'goedgekeurd' : 'afgewezen';
    res.redirect(303, `${paths.reviewProvider(kvkNumber)}?claim=${notice}#claims`);
  });

  // A KvK extract (of a provider or a claim): staff only, and each download is audited.
  router.get(paths.reviewExtract(), ...staffReader, async (req, res) => {
    const extract = await downloadExtract(
      dataSource,
      String(req.params.id),
      actorOf(req.user!),
      requestTime(res),
    );
    const extension =
      { 'application/pdf': 'pdf', 'image/png': 'png', 'image/jpeg': 'jpg' }[extract.mediaType] ?? 'bin';
    res
      .type(extract.mediaType)
      .setHeader('Content-Disposition', `attachment; filename="uittreksel-${extract.id}.${extension}"`)
      .setHeader('X-Content-Type-Options', 'nosniff')
      .send(extract.content);
  });

  return router;
}
