import { actorName } from '../audit/people.queries';
import { actorOf } from '../audit/actor';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole } from '../web/auth';
import type { Config } from '../config';
import { setFormContext } from '../web/error-handler';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import { formValues } from '../shared/validation';
import { codeVersionLapsesAt } from './status-rules';
import {
  allCodeVersions,
  codeVersionById,
  type CodeVersionForm,
  confirmPublication,
  type PreviewPart,
  type PublicationPreview,
  previewPublication,
  withdrawCodeVersion,
} from './code-of-conduct.service';
import { providersWithReach } from './code-of-conduct.queries';
import { loadCodeVersions, toCodeVersionFact } from './status-history';
import { requestTime } from '../web/clock';

const FIELDS = ['versionLabel', 'versionTitle', 'publishedOn', 'transitionEndsOn'] as const;

/**
 * Administrators publish a new code-of-conduct version with a transition period: the form, then a
 * preview of what the publication does (lapse dates, providers mailed and not reachable), then an
 * explicit confirmation. Providers whose listing rests on an older version are told by mail (and
 * on their account page); when the period ends their status lapses by the rules, without anyone
 * acting. Until its publication instant a version can be withdrawn.
 */
export function codeOfConductRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const admins = requireRole(config, 'admin');
  const accountUrl = `${config.publicBaseUrl}${paths.account}`;
  /** Who withdrew the versions, as the page names people (an actor is `<role>:<user id>`). */
  const withdrawnByNames = async (versions: readonly { withdrawnBy: string | null }[]) => {
    const actors = [...new Set(versions.flatMap((v) => v.withdrawnBy ?? []))];
    const names = await Promise.all(actors.map((a) => actorName(dataSource.manager, a)));
    return new Map(actors.map((a, i) => [a, names[i]]));
  };
  const model = async (now: Date) => {
    // A withdrawn version stays in the list, marked so, but counts for nobody's lapse.
    const versions = await allCodeVersions(dataSource.manager);
    const facts = versions.filter((v) => !v.withdrawnAt).map(toCodeVersionFact);
    const names = await withdrawnByNames(versions);
    return {
      title: 'codeVersions.title',
      versions: [...versions].reverse().map((v) => ({
        ...v,
        withdrawnBy: v.withdrawnBy ? names.get(v.withdrawnBy) : null,
        url: paths.codeVersion(v.id),
        lapsesAt: v.withdrawnAt ? undefined : codeVersionLapsesAt(toCodeVersionFact(v), facts),
        // Announced, not in force yet: accepted only from its publication.
        announced: !v.withdrawnAt && now.getTime() < v.publishedAt.getTime(),
      })),
    };
  };
  const previewModel = (preview: PublicationPreview, changed: PreviewPart[] = []) => ({
    title: 'codeVersions.previewTitle',
    preview,
    changed: changed.length > 0,
    changedParts: changed.map((part) => `codeVersions.changedPart.${part}`),
    reachableCount: preview.affected.filter((a) => a.reachable).length,
    values: { ...preview.form, digest: preview.digest },
  });

  router.get(paths.codeVersions, ...admins, async (_req, res) => {
    res.render('status/code-versions', {
      ...(await model(requestTime(res))),
      values: { publishedOn: toLocalDate(requestTime(res)) },
    });
  });

  // Step 1: the form's values are checked and what the publication would do is shown; nothing is written.
  router.post(paths.codeVersions, ...admins, async (req, res) => {
    const values = formValues(req.body, FIELDS);
    setFormContext(res, {
      view: 'status/code-versions',
      load: async () => ({ model: await model(requestTime(res)), values }),
    });
    const preview = await dataSource.transaction('REPEATABLE READ', (manager) =>
      previewPublication(manager, values, requestTime(res)),
    );
    res.render('status/code-version-preview', previewModel(preview));
  });

  // Step 2: the confirmation carries the same values and the preview's fingerprint.
  router.post(paths.codeVersionsConfirm, ...admins, async (req, res) => {
    const values = formValues(req.body, [...FIELDS, 'digest']);
    setFormContext(res, {
      view: 'status/code-versions',
      load: async () => ({ model: await model(requestTime(res)), values }),
    });
    const form: CodeVersionForm & { digest: string } = values;
    const result = await dataSource.transaction((manager) =>
      confirmPublication(manager, { ...form, actor: actorOf(req.user!), accountUrl }, requestTime(res)),
    );
    if ('changed' in result) {
      return res
        .status(409)
        .render('status/code-version-preview', previewModel(result.changed, result.parts));
    }
    // Sent twice (a double click): the second finds the version the first published, and shows it.
    res.redirect(303, `${paths.codeVersion(result.published.id)}?gepubliceerd=1`);
  });

  router.get(paths.codeVersion(), ...admins, async (req, res) => {
    const version = await codeVersionById(dataSource.manager, String(req.params.id));
    const versions = await loadCodeVersions(dataSource.manager);
    const facts = versions.map(toCodeVersionFact);
    const now = requestTime(res);
    // The older versions not lapsed yet, with the lapse this version gives them: what their providers were told.
    const olderLapses = version.withdrawnAt
      ? []
      : versions
          .filter((v) => v.publishedAt.getTime() < version.publishedAt.getTime())
          .map((v) => ({ label: v.label, lapsesAt: codeVersionLapsesAt(toCodeVersionFact(v), facts) }))
          .filter((v) => v.lapsesAt && v.lapsesAt.getTime() > now.getTime())
          .reverse();
    const unreachable = await providersWithReach(dataSource.manager, version.unreachableProviderIds);
    const announced = !version.withdrawnAt && now.getTime() < version.publishedAt.getTime();
    const names = await withdrawnByNames([version]);
    res.render('status/code-version', {
      title: 'codeVersions.title',
      version: { ...version, withdrawnBy: version.withdrawnBy ? names.get(version.withdrawnBy) : null },
      lapsesAt: version.withdrawnAt ? undefined : codeVersionLapsesAt(toCodeVersionFact(version), facts),
      published: req.query.gepubliceerd === '1',
      olderLapses,
      announced,
      notifiedCount: version.notifiedProviderIds.length,
      unreachable: [...unreachable.values()]
        .sort((a, b) => a.legalName.localeCompare(b.legalName, 'nl'))
        .map((p) => ({ ...p, url: paths.reviewProvider(p.kvkNumber) })),
      withdrawAction: announced ? paths.codeVersionWithdraw(version.id) : undefined,
    });
  });

  router.post(paths.codeVersionWithdraw(), ...admins, async (req, res) => {
    const version = await dataSource.transaction((manager) =>
      withdrawCodeVersion(
        manager,
        { id: String(req.params.id), actor: actorOf(req.user!), accountUrl },
        requestTime(res),
      ),
    );
    res.redirect(303, paths.codeVersion(version.id));
  });

  return router;
}
