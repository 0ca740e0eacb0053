import { Transform } from 'node:stream';
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
  latestStatusChanges,
  OPEN_DATA_FIELDS,
  OPEN_DATA_LICENCE,
  type OpenDataRecord,
  streamRegister,
} from './open-data.service';
import { requestTime } from '../web/clock';

export const openDataPaths = {
  csv: `${paths.openData}/hostingproviders.csv`,
  json: `${paths.openData}/hostingproviders.json`,
  feed: `${paths.openData}/statuswijzigingen.atom`,
};

/** The JSON download: a small header object around the list, written one record at a time. */
function jsonDocument(header: Record<string, unknown>): Transform {
  const opening = `${JSON.stringify(header).slice(0, -1)},"hostingproviders":[`;
  let count = 0;
  return new Transform({
    writableObjectMode: true,
    transform(record: OpenDataRecord, _encoding, done) {
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

/** Streams the whole register to the client through `format`. */
async function sendRegister(req: Request, res: Response, dataSource: DataSource, format: Transform[]) {
  await sendStream(req, res, await streamRegister(dataSource, requestTime(res)), format);
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

  const attachment = (res: Response, extension: string) =>
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="hostingproviders-${toLocalDate(requestTime(res))}.${extension}"`,
    );

  router.get(openDataPaths.csv, async (req, res) => {
    res.type('text/csv; charset=utf-8');
    attachment(res, 'csv');
    res.setHeader('Access-Control-Allow-Origin', '*');
    await sendRegister(req, res, dataSource, [
      toCsvCells(),
      stringify({ header: true, columns: [...OPEN_DATA_FIELDS], record_delimiter: 'windows' }),
    ]);
  });

  router.get(openDataPaths.json, async (req, res) => {
    res.type('application/json; charset=utf-8');
    attachment(res, 'json');
    res.setHeader('Access-Control-Allow-Origin', '*');
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

  router.get(openDataPaths.feed, async (_req, res) => {
    const entries = await latestStatusChanges(dataSource);
    res.type('application/atom+xml; charset=utf-8');
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.render('open-data/feed', {
      layout: false,
      feedUrl: `${base}${openDataPaths.feed}`,
      registerUrl: `${base}${paths.register}`,
      tagAuthority: new URL(base).hostname,
      updated: entries[0]?.recordedAt ?? requestTime(res),
      licence: OPEN_DATA_LICENCE,
      entries: entries.map((e) => ({
        ...e,
        kindKey: `statusEvent.kind.${e.kind}`,
        url: `${base}${paths.provider(e.kvkNumber)}`,
      })),
    });
  });

  return router;
}
