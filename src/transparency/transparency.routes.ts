import cors from 'cors';
import { type NextFunction, type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import { parseTilePath } from '../../monitor/lib/tiles';
import { paths } from '../shared/paths';
import { pageNumber } from '../web/paging';
import { checkpointPage, latestCheckpoint } from './checkpoint.queries';
import type { LogKey } from './log-key';
import { entryBundle, hashTile, tileWithin } from './tiles.service';

/** Checkpoints per page of the history. */
const HISTORY_PAGE = 20;
/** The latest checkpoint and partial tiles change as the log grows: kept briefly. */
const CACHE_SHORT = 'public, max-age=10';
/** A full tile never changes (tlog-tiles). */
const CACHE_IMMUTABLE = 'public, max-age=31536000, immutable';

/** A plain-text answer in Dutch and English, as the log's clients read text. */
function plain(res: Response, status: number, nl: string, en: string): void {
  res.status(status).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
  res.send(`${nl}\n${en}\n`);
}

/** The log's files are for clients on any site too (a monitor in a browser): read only, no cookies. */
const openCors = cors({ origin: '*', methods: ['GET', 'HEAD'], maxAge: 86400 });

/** Another site's page may load them as well (helmet's default is same-origin). */
function crossOrigin(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  next();
}

/**
 * The transparency log's files, public and read only (GET and HEAD): the latest signed checkpoint,
 * the tiles and entry bundles of C2SP tlog-tiles up to its size and the log's verifier key. Readable
 * by scripts on any site (CORS `*`, Cross-Origin-Resource-Policy cross-origin). Mounted before the
 * cookie, language and session middleware: the files do not depend on who asks or in which language
 * (no `Vary: Cookie`, which would keep shared caches from keeping an immutable tile).
 */
export function transparencyRoutes(dataSource: DataSource, key: LogKey): Router {
  const router = Router();
  const files = [paths.logCheckpoint, paths.logKey, `${paths.logTiles}/*tile`];
  router.options(files, openCors);
  router.use(files, openCors, crossOrigin);

  router.get(paths.logCheckpoint, async (_req, res) => {
    const latest = await latestCheckpoint(dataSource.manager);
    if (!latest)
      return plain(res, 404, 'Er is nog geen checkpoint ondertekend.', 'No checkpoint has been signed yet.');
    res.type('text/plain; charset=utf-8').setHeader('Cache-Control', CACHE_SHORT);
    res.send(latest.note);
  });

  router.get(paths.logKey, (_req, res) => {
    res.type('text/plain; charset=utf-8').setHeader('Cache-Control', 'public, max-age=3600');
    res.send(`${key.verifierKey}\n`);
  });

  router.get(`${paths.logTiles}/*tile`, async (req, res) => {
    const segments = req.params.tile;
    const tile = parseTilePath(`tile/${segments.join('/')}`);
    if (!tile)
      return plain(
        res,
        404,
        'Geen tegel: het pad volgt C2SP tlog-tiles niet.',
        'No tile: the path does not follow C2SP tlog-tiles.',
      );
    const latest = await latestCheckpoint(dataSource.manager);
    const level = tile.kind === 'hashes' ? tile.level : 0;
    if (!latest || !tileWithin(level, tile.index, tile.width, latest.treeSize))
      return plain(
        res,
        404,
        'Deze tegel valt buiten de boom van het laatste checkpoint.',
        'This tile lies beyond the tree of the latest checkpoint.',
      );
    const body =
      tile.kind === 'hashes'
        ? await hashTile(dataSource.manager, tile.level, tile.index, tile.width)
        : await entryBundle(dataSource.manager, tile.index, tile.width);
    if (!body)
      return plain(
        res,
        404,
        'Deze tegel is niet volledig in de opgeslagen boom.',
        'This tile is not complete in the stored tree.',
      );
    res.type('application/octet-stream');
    res.setHeader('Cache-Control', tile.width === 256 ? CACHE_IMMUTABLE : CACHE_SHORT);
    res.send(body);
  });

  return router;
}

/** The history of checkpoints: a page, in the visitor's language. */
export function checkpointHistoryRoutes(dataSource: DataSource, key: LogKey): Router {
  const router = Router();
  router.get(paths.logCheckpoints, async (req, res) => {
    const page = pageNumber(req.query.pagina);
    const { rows, total } = await checkpointPage(dataSource.manager, (page - 1) * HISTORY_PAGE, HISTORY_PAGE);
    const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE));
    const pageUrl = (n: number) => `${paths.logCheckpoints}?pagina=${n}`;
    res.render('transparency/checkpoints', {
      title: 'transparency.checkpointsTitle',
      verifierKey: key.verifierKey,
      checkpointUrl: paths.logCheckpoint,
      total,
      checkpoints: rows,
      page,
      pageCount,
      previousUrl: page > 1 ? pageUrl(Math.min(page - 1, pageCount)) : undefined,
      nextUrl: page < pageCount ? pageUrl(page + 1) : undefined,
    });
  });

  return router;
}
