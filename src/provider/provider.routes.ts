import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { paths } from '../shared/paths';
import { providerDetail, registerPage } from './provider.service';
import { historyRows, statusView } from './provider.view';

/** A page number from the query string: anything that is not a positive whole number means page 1. */
export function pageNumber(raw: unknown): number {
  if (typeof raw !== 'string' || !/^[0-9]{1,9}$/.test(raw)) return 1;
  return Math.max(1, Number(raw));
}

/** The public register: open to everyone, no login. */
export function providerRoutes(dataSource: DataSource): Router {
  const router = Router();

  router.get(paths.register, async (req, res) => {
    const result = await registerPage(dataSource, pageNumber(req.query.page), new Date());
    res.render('provider/register', {
      title: 'register.title',
      total: result.total,
      page: result.page,
      pageCount: result.pageCount,
      previousPage: result.page > 1 ? result.page - 1 : undefined,
      nextPage: result.page < result.pageCount ? result.page + 1 : undefined,
      rows: result.entries.map(({ provider, status }) => ({
        provider,
        url: paths.provider(provider.kvkNumber),
        status: statusView(status),
      })),
    });
  });

  router.get(`${paths.register}/:kvkNumber`, async (req, res) => {
    const detail = await providerDetail(dataSource, req.params.kvkNumber, new Date());
    const cause = !detail.status.verantwoord ? detail.status.cause : undefined;
    const causeEvent = cause ? detail.history.find((e) => Number(e.id) === cause.sequence) : undefined;
    res.render('provider/provider', {
      title: detail.provider.legalName,
      titleIsText: true,
      provider: detail.provider,
      status: statusView(detail.status, causeEvent?.reason),
      history: historyRows(detail.history, detail.codeVersions),
      registerUrl: paths.register,
    });
  });

  return router;
}
