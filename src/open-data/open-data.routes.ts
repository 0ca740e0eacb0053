import { Transform } from 'node:stream';
import cors from 'cors';
import { stringify } from 'csv-stringify';
import { type Request, type Response, Router } from 'express';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { sendStream } from '../web/stream';
import { paths } from '../shared/paths';
import { toLocalDate } from '../shared/time';
import {
  csvCells,
  FEED_SIZE,
  feedArchivePage,
  type FeedDocument,
  feedSubscription,
  OPEN_DATA_FIELDS,
  OPEN_DATA_LICENCE,
  type OpenDataRecord,
  registerVersion,
  streamRegister,
} from './open-data.service';
import { requestTime } from '../web/clock';
import { CACHE_ARCHIVE, CACHE_CURRENT, notModified, setValidators, weakEtag } from '../web/http-cache';
import { NotFoundError } from '../shared/errors';
import { streamDailyCheckpoints } from '../transparency/daily-checkpoints';

export const openDataPaths = {
  csv: `${paths.openData}/hostingproviders.csv`,
  json: `${paths.openData}/hostingproviders.json`,
  feed: `${paths.openData}/statuswijzigingen.atom`,
  /** The transparency log's latest checkpoint of each day. */
  checkpoints: paths.openDataCheckpoints,
  /** Archive page n of the Atom feed (RFC 5005): changes (n-1)·100+1 to n·100, oldest first. */
  feedArchive: (page: number | string) => `${paths.openData}/statuswijzigingen/archief/${page}.atom`,
};

/** A JSON download: a small header object around the list `listName`, written one record at a time. */
function jsonDocument(header: Record<string, unknown>, listName = 'hostingproviders'): Transform {
  const opening = `${JSON.stringify(header).slice(0, -1)},${JSON.stringify(listName)}:[`;
  let count = 0;
  return new Transform({
    writableObjectMode: true,
    transform(record: unknown, _encoding, done) {
      done(null, `${count++ === 0 ? opening : ','}\n${JSON.stringify(record)}`);
    },
    flush(done) {
      done(null, `${count === 0 ? opening : ''}\n]}\n`);
    },
  });
}

const toCsvCells = () =>
  new Transform({
    objectMode: true,
    transform(record: OpenDataRecord, _encoding, done) {
      done(null, csvCells(record));
    },
  });

/**
 * Streams the whole register to the client through `format`, unless the client's copy is still
 * good: the validators come from the register's data version (read after the snapshots are brought
 * up to date), so a 304 costs one small query instead of the whole download.
 */
async function sendRegister(req: Request, res: Response, dataSource: DataSource, format: Transform[]) {
  const now = requestTime(res);
  const version = await registerVersion(dataSource, now);
  if (
    setValidators(req, res, {
      etag: weakEtag(version.tag),
      lastModified: version.lastModified,
      cacheControl: CACHE_CURRENT,
      web: true,
    })
  )
    return notModified(res);
  await sendStream(req, res, await streamRegister(dataSource, now), format);
}

/** Open data: the whole register as CSV and JSON, the field page with the licence, and an Atom feed. */
export function openDataRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const base = config.publicBaseUrl;

  router.get(paths.openData, (_req, res) => {
    res.render('open-data/index', {
      title: 'openData.title',
      licence: OPEN_DATA_LICENCE,
      downloads: openDataPaths,
      feedSize: FEED_SIZE,
      fields: OPEN_DATA_FIELDS.map((name) => ({
        name,
        typeKey: `openData.fields.${name}.type`,
        descriptionKey: `openData.fields.${name}.description`,
      })),
    });
  });

  // Scripts on any site may read the downloads and feeds and revalidate them (a preflight for
  // If-None-Match is answered; ETag and Last-Modified are readable). No cookies are involved.
  const openCors = cors({
    origin: '*',
    methods: ['GET', 'HEAD'],
    exposedHeaders: ['ETag', 'Last-Modified', 'Content-Disposition'],
    maxAge: 86400,
  });
  router.options(
    [
      openDataPaths.csv,
      openDataPaths.json,
      openDataPaths.feed,
      openDataPaths.feedArchive(':pagina'),
      openDataPaths.checkpoints,
    ],
    openCors,
  );

  const attachment = (res: Response, extension: string) =>
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="hostingproviders-${toLocalDate(requestTime(res))}.${extension}"`,
    );

  router.get(openDataPaths.csv, openCors, async (req, res) => {
    res.type('text/csv; charset=utf-8');
    attachment(res, 'csv');
    await sendRegister(req, res, dataSource, [
      toCsvCells(),
      stringify({ header: true, columns: [...OPEN_DATA_FIELDS], record_delimiter: 'windows' }),
    ]);
  });

  router.get(openDataPaths.json, openCors, async (req, res) => {
    res.type('application/json; charset=utf-8');
    attachment(res, 'json');
    await sendRegister(req, res, dataSource, [
      jsonDocument({
        titel: 'Register Verantwoorde Hostingproviders',
        bron: `${base}${openDataPaths.json}`,
        velden: `${base}${paths.openData}`,
        licentie: OPEN_DATA_LICENCE,
        gegenereerdOp: requestTime(res).toISOString(),
      }),
    ]);
  });

  /**
   * The transparency log's latest checkpoint of each day, oldest first, streamed (one more a day,
   * forever). Each is the signed note verbatim: check it with the key on /transparantie/sleutel.
   */
  router.get(openDataPaths.checkpoints, openCors, async (req, res) => {
    res.type('application/json; charset=utf-8').setHeader('Cache-Control', CACHE_CURRENT);
    res.setHeader('Content-Disposition', 'attachment; filename="checkpoints.json"');
    await sendStream(req, res, await streamDailyCheckpoints(dataSource), [
      jsonDocument(
        {
          titel: 'Dagelijkse checkpoints van het transparantielog',
          bron: `${base}${openDataPaths.checkpoints}`,
          uitleg: `${base}${paths.log}`,
          sleutel: `${base}${paths.logKey}`,
          licentie: OPEN_DATA_LICENCE,
          gegenereerdOp: requestTime(res).toISOString(),
        },
        'checkpoints',
      ),
    ]);
  });

  const renderFeed = (req: Request, res: Response, document: FeedDocument) => {
    const { archivePage, newestArchivePage } = document;
    const self = archivePage ? openDataPaths.feedArchive(archivePage) : openDataPaths.feed;
    const previous = archivePage ? archivePage - 1 : newestArchivePage;
    const next =
      archivePage && newestArchivePage && archivePage < newestArchivePage ? archivePage + 1 : undefined;
    res.type('application/atom+xml; charset=utf-8');
    // An archive page with a successor never changes; the newest one gets its next-archive link
    // when the page after it fills, and the subscription document changes with every change.
    setValidators(req, res, {
      lastModified: document.updated,
      cacheControl: next ? CACHE_ARCHIVE : CACHE_CURRENT,
      web: true,
    });
    res.render('open-data/feed', {
      layout: false,
      feedId: `${base}${openDataPaths.feed}`,
      selfUrl: `${base}${self}`,
      archive: archivePage !== undefined,
      currentUrl: archivePage ? `${base}${openDataPaths.feed}` : undefined,
      prevArchiveUrl: previous ? `${base}${openDataPaths.feedArchive(previous)}` : undefined,
      nextArchiveUrl: next ? `${base}${openDataPaths.feedArchive(next)}` : undefined,
      registerUrl: `${base}${paths.register}`,
      kvkScheme: `${base}${paths.openData}#kvkNummer`,
      tagAuthority: new URL(base).hostname,
      // An empty feed has no newest entry; the epoch keeps the document the same until one comes.
      updated: document.updated ?? new Date(0),
      licence: OPEN_DATA_LICENCE,
      entries: document.entries.map((e) => ({
        ...e,
        id: e.position,
        kindKey: `statusEvent.kind.${e.kind}`,
        fromKey: `status.label.${e.from}`,
        toKey: `status.label.${e.to}`,
        url: `${base}${paths.provider(e.kvkNumber)}`,
        apiUrl: `${base}${paths.api}/hostingproviders/${e.kvkNumber}`,
      })),
    });
  };

  router.get(openDataPaths.feed, openCors, async (req, res) => {
    renderFeed(req, res, await feedSubscription(dataSource.manager));
  });

  router.get(openDataPaths.feedArchive(':pagina'), openCors, async (req, res) => {
    const page = /^[1-9][0-9]{0,8}$/.test(String(req.params.pagina)) ? Number(req.params.pagina) : 0;
    const document = page > 0 ? await feedArchivePage(dataSource.manager, page) : undefined;
    if (!document) throw new NotFoundError(`no archive page ${String(req.params.pagina)} of the feed`);
    renderFeed(req, res, document);
  });

  return router;
}
