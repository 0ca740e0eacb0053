import { Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { snapshotView } from '../register/provider.view';
import { searchProviders } from '../register/search.service';
import { ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { refuseCrossSiteRead, requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { pageNumber } from '../web/paging';
import { sendStream } from '../web/stream';
import { dossierExport } from './dossier-export';
import { staffPageErrors, staffPageQuery, staffProviderModel } from './staff-provider.view';

/** The auditor's dossier: finding any provider, and its dossier as one ZIP. Staff only, read only. */
export function dossierRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const staff = requireRole(config, 'reviewer', 'auditor', 'admin');

  // The register's own search, with registrations nobody has confirmed yet: staff need those too.
  router.get(paths.reviewSearch, ...staff, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.trim().slice(0, 200) : '';
    const result = q
      ? await searchProviders(
          dataSource,
          { q, sort: 'relevance', page: pageNumber(req.query.page), includeUnconfirmed: true },
          requestTime(res),
        )
      : undefined;
    const pageUrl = (page: number) =>
      `${paths.reviewSearch}?${new URLSearchParams({ q, page: String(page) })}`;
    res.render('review/search', {
      title: 'dossier.searchTitle',
      values: { q },
      searched: !!result,
      total: result?.total ?? 0,
      more: result?.more,
      page: result?.page,
      pageCount: result?.pageCount,
      previousUrl: result && result.page > 1 ? pageUrl(result.page - 1) : undefined,
      nextUrl: result && result.page < result.pageCount ? pageUrl(result.page + 1) : undefined,
      rows: (result?.rows ?? []).map((row) => ({
        provider: row,
        url: paths.reviewProvider(row.kvkNumber),
        status: snapshotView(row.status),
      })),
    });
  });

  router.get(paths.reviewProviderDossier(), refuseCrossSiteRead(config), ...staff, async (req, res) => {
    const kvkNumber = String(req.params.kvkNumber);
    const query = staffPageQuery(req.query);
    const { values } = query;
    setFormContext(res, {
      view: 'review/provider',
      load: async () => ({
        model: await staffProviderModel(dataSource, kvkNumber, req.user!, requestTime(res)),
        values,
      }),
    });
    // Only the period's fields: the peildatum question is the page's, not the download's.
    const errors = staffPageErrors(
      {
        values: { ...values, peildatum: '', bekendOp: '' },
        repeated: query.repeated.filter((field) => field === 'van' || field === 'tot'),
      },
      requestTime(res),
    );
    if (Object.keys(errors).length > 0)
      throw new ValidationError(Object.fromEntries(Object.entries(errors).map(([f, key]) => [f, [key]])));
    const download = await dossierExport(
      dataSource,
      kvkNumber,
      { from: values.van || undefined, to: values.tot || undefined },
      req.user!,
      requestTime(res),
    );
    res
      .type('application/zip')
      .setHeader('Content-Disposition', `attachment; filename="${download.filename}"`)
      .setHeader('X-Manifest-SHA256', download.manifestSha256);
    await sendStream(req, res, { records: download.zip, release: () => Promise.resolve() }, []);
  });

  return router;
}
