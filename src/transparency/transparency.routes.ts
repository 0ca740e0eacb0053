import cors from 'cors';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from 'express';
import type { DataSource } from 'typeorm';
import { parseTilePath } from '../../monitor/lib/tiles';
import type { Config } from '../config';
import { postgresLimiter } from '../database/rate-limits';
import { clientKey } from '../shared/client-address';
import { paths } from '../shared/paths';
import { consume } from '../web/auth';
import { requestTime } from '../web/clock';
import { pageNumber } from '../web/paging';
import { checkpointPage } from './checkpoint.queries';
import { acceptCosignature, cosignaturesOf, cosignedNote } from './cosignatures';
import { type LogKey, noteSignedAt } from './log-key';
import type { SignerMemory } from './signer-memory';
import { servedCheckpoint, servedTreeSize, signerStanding } from './signer-standing';
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
export function transparencyRoutes(dataSource: DataSource, key: LogKey, memory: SignerMemory): Router {
  const router = Router();
  const files = [paths.logCheckpoint, paths.logKey, `${paths.logTiles}/*tile`];
  router.options(files, openCors);
  router.use(files, openCors, crossOrigin);

  // The newer of the database's latest checkpoint and the one the signer remembers signing
  // (`servedCheckpoint`): a checkpoint removed from the database is still served, and a monitor
  // then fails on the tiles that do not rebuild it.
  router.get(paths.logCheckpoint, async (_req, res) => {
    const served = await servedCheckpoint(
      dataSource.manager,
      await signerStanding(dataSource.manager, memory),
    );
    if (!served)
      return plain(res, 404, 'Er is nog geen checkpoint ondertekend.', 'No checkpoint has been signed yet.');
    res.type('text/plain; charset=utf-8').setHeader('Cache-Control', CACHE_SHORT);
    res.send(served.note);
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
    const size = servedTreeSize(await signerStanding(dataSource.manager, memory));
    const level = tile.kind === 'hashes' ? tile.level : 0;
    if (size === undefined || !tileWithin(level, tile.index, tile.width, size))
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
    const cosignatures = await cosignaturesOf(
      dataSource.manager,
      rows.map((row) => row.id),
    );
    const pageCount = Math.max(1, Math.ceil(total / HISTORY_PAGE));
    const pageUrl = (n: number) => `${paths.logCheckpoints}?pagina=${n}`;
    res.render('transparency/checkpoints', {
      title: 'transparency.checkpointsTitle',
      verifierKey: key.verifierKey,
      checkpointUrl: paths.logCheckpoint,
      total,
      checkpoints: rows.map((row) => {
        const own = cosignatures.filter((c) => c.checkpointId === row.id);
        return {
          ...row,
          noteSignedAt: noteSignedAt(row.note, key.verifierKey),
          cosignatures: own,
          servedNote: cosignedNote(row.note, own),
        };
      }),
      page,
      pageCount,
      previousUrl: page > 1 ? pageUrl(Math.min(page - 1, pageCount)) : undefined,
      nextUrl: page < pageCount ? pageUrl(page + 1) : undefined,
    });
  });

  return router;
}

/** The largest cosigned checkpoint a witness may post: the checkpoint text and one signature line. */
const COSIGNATURE_BODY_LIMIT = '1kb';
/** Posts of cosignatures per client in 15 minutes: a witness posts once per run, every few minutes. */
const COSIGNATURES_PER_CLIENT = 60;

/**
 * Where witnesses post their cosignatures (C2SP tlog-cosignature) of the log's checkpoints. A
 * machine endpoint, mounted before sessions and CSRF tokens as the API is: it reads no cookie and
 * acts for no one; the witness's signature, by a key of LOG_WITNESS_KEYS, is its authentication.
 * The body (text/plain, at most 1 KB) is the cosigned checkpoint: the checkpoint's note text, a
 * blank line and the witness's signature line. Answers in plain text, Dutch and English.
 */
export function cosignatureRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const limiter = postgresLimiter(dataSource, {
    keyPrefix: 'cosignature_ip',
    points: COSIGNATURES_PER_CLIENT,
    durationSeconds: 15 * 60,
  });
  const parseText = express.text({
    type: 'text/plain',
    limit: COSIGNATURE_BODY_LIMIT,
    defaultCharset: 'utf-8',
  });

  const limit: RequestHandler = async (req, res, next) => {
    const refusal = await consume(limiter, clientKey(req.ip));
    if (!refusal) return next();
    res.setHeader('Retry-After', String(refusal.waitSeconds));
    plain(
      res,
      429,
      `Te veel cosignaturen van dit adres; probeer het over ${refusal.waitSeconds} seconden opnieuw.`,
      `Too many cosignatures from this address; try again in ${refusal.waitSeconds} seconds.`,
    );
  };
  // The body parser's refusals answered here, in plain text: this route is no web page.
  const readBody: RequestHandler = (req, res, next) => {
    const type = req.is('text/plain');
    // null: no body at all (neither Content-Length nor chunks), whatever the Content-Type says.
    if (type === null)
      return plain(res, 400, 'Er is geen cosignatuur meegestuurd.', 'The request carries no cosignature.');
    if (!type)
      return plain(res, 415, 'Stuur de cosignatuur als text/plain.', 'Send the cosignature as text/plain.');
    parseText(req, res, (error?: unknown) => {
      if (!error) return next();
      const type = (error as { type?: string }).type;
      if (type === 'entity.too.large')
        return plain(res, 413, 'Te groot: hooguit 1 KB.', 'Too large: at most 1 KB.');
      if (type === 'charset.unsupported')
        return plain(res, 415, 'Stuur de cosignatuur in UTF-8.', 'Send the cosignature in UTF-8.');
      if (type === 'encoding.unsupported')
        return plain(
          res,
          415,
          'Stuur de cosignatuur ongecomprimeerd, of met gzip, deflate of br.',
          'Send the cosignature uncompressed, or with gzip, deflate or br.',
        );
      plain(res, 400, 'De inhoud kon niet gelezen worden.', 'The body could not be read.');
    });
  };

  router.options(paths.logCosignatures, (_req, res) => {
    res.setHeader('Allow', 'OPTIONS, POST');
    res.status(204).end();
  });

  router.post(paths.logCosignatures, limit, readBody, async (req, res) => {
    // readBody let only a text/plain body through, which express.text made a string.
    const body = String(req.body);
    const result = await acceptCosignature(dataSource, config.logWitnessKeys, body, requestTime(res));
    switch (result.outcome) {
      case 'accepted':
        return plain(
          res,
          201,
          `Cosignatuur van ${result.witness} bewaard bij het checkpoint van ${result.treeSize} bladeren.`,
          `Cosignature by ${result.witness} kept with the checkpoint of tree size ${result.treeSize}.`,
        );
      case 'again':
        return plain(
          res,
          200,
          `${result.witness} had dit checkpoint al medeondertekend; de eerste cosignatuur blijft bewaard.`,
          `${result.witness} had cosigned this checkpoint already; the first cosignature is kept.`,
        );
      case 'malformed':
        return plain(
          res,
          400,
          'Dit is geen medeondertekend checkpoint: de tekst van het checkpoint, een lege regel en één handtekeningregel.',
          `Not a cosigned checkpoint (checkpoint text, blank line, one signature line): ${result.reason}.`,
        );
      case 'bad_signature':
        return plain(
          res,
          400,
          'De cosignatuur klopt niet.',
          `The cosignature is not valid: ${result.reason}.`,
        );
      case 'unknown_witness':
        return plain(
          res,
          403,
          'Deze getuige is bij het register niet bekend (LOG_WITNESS_KEYS).',
          `Unknown witness: ${result.reason}.`,
        );
      case 'unknown_checkpoint':
        return plain(
          res,
          404,
          'Het register heeft geen checkpoint met deze tekst ondertekend.',
          `Unknown checkpoint: ${result.reason}.`,
        );
    }
  });

  return router;
}
