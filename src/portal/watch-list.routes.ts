import { Router } from 'express';
import { organisationNameOf } from '../buyer/buyer.service';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { listUpload, packSource, unpackSource } from '../check/bulk-list';
import {
  addWatchEntries,
  addWatchEntry,
  createWatchList,
  deleteWatchList,
  editWatchEntry,
  entriesOfList,
  removeWatchEntry,
  renameWatchList,
  standings,
  watchEntry,
  watchList,
  watchListsOf,
  watchLimitsOf,
  watchListWithStatuses,
} from '../buyer/watch-list.service';
import { readWatchImport } from '../buyer/watch-import';
import {
  WATCH_DOWNLOAD_FORMATS,
  type WatchDownloadFormat,
  watchListDownload,
} from '../buyer/watch-list-download';
import type { WatchEntryInput } from '../buyer/watch-list.queries';
import type { User } from '../identity/user.entity';
import { TooManyRequestsError, ValidationError } from '../shared/errors';
import type { Language } from '../shared/i18n';
import { readKvkNumber } from '../shared/identifiers';
import { paths } from '../shared/paths';
import { formValues } from '../shared/validation';
import { snapshotView } from '../register/provider.view';
import { requireRole } from '../web/auth';
import { requestTime } from '../web/clock';
import { setFormContext } from '../web/error-handler';
import { readUpload } from '../web/upload';
import { BULK_CHECKS_BUSY, BULK_RETRY_SECONDS, takeBulkCheckSlot } from '../web/client-limits';
import { pageNumber } from '../web/paging';

const ENTRY_FIELDS = ['kvkNumber', 'reference', 'contractStart', 'contractEnd'] as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The copy of an uploaded list the preview keeps (gzip, base64), as the bulk check keeps its list. */
const IMPORT_UPLOAD = listUpload(8);

/** The most KvK numbers one "watch these suppliers" takes: a bulk check's largest list. */
const MAX_WATCH_NUMBERS = 10_000;

/**
 * A buyer's watch lists (issue 18 §2): their start page, a list with each supplier's status today,
 * adding by hand, from a spreadsheet or from a bulk check's answer, and the downloads. Only buyers;
 * a list of another organisation is not found.
 */
export function watchListRoutes(dataSource: DataSource, config: Config): Router {
  const router = Router();
  const buyers = requireRole(config, 'buyer');
  const providerUrl = (kvk: string) => `${config.publicBaseUrl}${paths.provider(kvk)}`;
  const limits = watchLimitsOf(config);

  const homeModel = async (buyer: User) => ({
    title: 'watch.homeTitle',
    organisationName: await organisationNameOf(dataSource, buyer),
    lists: (await watchListsOf(dataSource, buyer)).map((list) => ({
      ...list,
      url: paths.watchList(list.id),
      mine: list.ownerId === buyer.id,
    })),
  });

  const listModel = async (buyer: User, listId: string, now: Date, page = 1) => {
    const result = await watchListWithStatuses(dataSource, buyer, listId, now, page);
    const { list, entries } = result;
    const pageUrl = (n: number) => `${paths.watchList(list.id)}?pagina=${n}`;
    return {
      title: list.name,
      titleIsText: true,
      list,
      mine: list.ownerId === buyer.id,
      urls: {
        rename: paths.watchListRename(list.id),
        delete: paths.watchListDelete(list.id),
        entries: paths.watchListEntries(list.id),
        import: paths.watchListImport(list.id),
        csv: paths.watchListDownload(list.id, 'csv'),
        xlsx: paths.watchListDownload(list.id, 'xlsx'),
      },
      endingCount: result.endingCount,
      page: result.page,
      pageCount: result.pageCount,
      previousUrl: result.page > 1 ? pageUrl(result.page - 1) : undefined,
      nextUrl: result.page < result.pageCount ? pageUrl(result.page + 1) : undefined,
      entries: entries.map((entry) => ({
        ...entry,
        registered: entry.legalName !== undefined,
        providerUrl: entry.legalName ? paths.provider(entry.kvkNumber) : undefined,
        statusView: snapshotView(entry.status),
        editUrl: paths.watchListEntry(list.id, entry.id),
        removeUrl: paths.watchListEntryDelete(list.id, entry.id),
      })),
    };
  };
  /** A refused form on the list page shows the page again with the message and what was typed. */
  const listAgain = (req: { user?: User }, listId: string, now: Date, values: Record<string, string>) => ({
    view: 'buyer/list',
    load: async () => {
      const model = await listModel(req.user!, listId, now);
      // The rename box keeps the list's name when another form on the page was refused.
      return { model, values: { listName: model.list.name, ...values } };
    },
  });

  router.get(paths.buyerHome, ...buyers, async (req, res) => {
    res.render('buyer/home', { ...(await homeModel(req.user!)), values: {} });
  });

  router.post(paths.watchLists, ...buyers, async (req, res) => {
    const values = formValues(req.body, ['listName']);
    setFormContext(res, {
      view: 'buyer/home',
      load: async () => ({ model: await homeModel(req.user!), values }),
    });
    const id = await createWatchList(dataSource, req.user!, values.listName, limits, requestTime(res));
    res.redirect(303, paths.watchList(id));
  });

  router.get(paths.watchList(), ...buyers, async (req, res) => {
    const model = await listModel(
      req.user!,
      String(req.params.id),
      requestTime(res),
      pageNumber(req.query.pagina),
    );
    const counted = (raw: unknown) => (typeof raw === 'string' ? Number.parseInt(raw, 10) : Number.NaN);
    const [notice, updated] = [counted(req.query.toegevoegd), counted(req.query.bijgewerkt)];
    res.render('buyer/list', {
      ...model,
      added: Number.isFinite(notice)
        ? { count: notice, updated: Number.isFinite(updated) ? updated : 0 }
        : undefined,
      values: { listName: model.list.name },
    });
  });

  router.post(paths.watchListRename(), ...buyers, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ['listName']);
    setFormContext(res, listAgain(req, id, requestTime(res), values));
    await renameWatchList(dataSource, req.user!, id, values.listName, requestTime(res));
    res.redirect(303, paths.watchList(id));
  });

  router.get(paths.watchListDelete(), ...buyers, async (req, res) => {
    const model = await listModel(req.user!, String(req.params.id), requestTime(res));
    res.render('buyer/delete', { title: 'watch.deleteTitle', list: model.list, urls: model.urls });
  });

  router.post(paths.watchListDelete(), ...buyers, async (req, res) => {
    await deleteWatchList(dataSource, req.user!, String(req.params.id), requestTime(res));
    res.redirect(303, paths.buyerHome);
  });

  router.post(paths.watchListEntries(), ...buyers, async (req, res) => {
    const id = String(req.params.id);
    const values = formValues(req.body, ENTRY_FIELDS);
    setFormContext(res, listAgain(req, id, requestTime(res), values));
    await addWatchEntry(dataSource, req.user!, id, values, limits, requestTime(res));
    res.redirect(303, `${paths.watchList(id)}?toegevoegd=1`);
  });

  const entryModel = async (buyer: User, listId: string, entryId: string) => {
    const { list, entry } = await watchEntry(dataSource, buyer, listId, entryId);
    return {
      title: 'watch.entryTitle',
      list,
      entry,
      listUrl: paths.watchList(list.id),
      removeUrl: paths.watchListEntryDelete(list.id, entry.id),
    };
  };

  router.get(paths.watchListEntry(), ...buyers, async (req, res) => {
    const model = await entryModel(req.user!, String(req.params.id), String(req.params.entryId));
    const { entry } = model;
    res.render('buyer/entry', {
      ...model,
      values: {
        kvkNumber: entry.kvkNumber,
        reference: entry.reference,
        contractStart: entry.contractStart ?? '',
        contractEnd: entry.contractEnd ?? '',
      },
    });
  });

  router.post(paths.watchListEntry(), ...buyers, async (req, res) => {
    const [id, entryId] = [String(req.params.id), String(req.params.entryId)];
    const values = formValues(req.body, ENTRY_FIELDS);
    setFormContext(res, {
      view: 'buyer/entry',
      load: async () => ({ model: await entryModel(req.user!, id, entryId), values }),
    });
    await editWatchEntry(dataSource, req.user!, id, entryId, values, requestTime(res));
    res.redirect(303, paths.watchList(id));
  });

  router.post(paths.watchListEntryDelete(), ...buyers, async (req, res) => {
    const id = String(req.params.id);
    await removeWatchEntry(dataSource, req.user!, id, String(req.params.entryId), requestTime(res));
    res.redirect(303, paths.watchList(id));
  });

  // An uploaded list: first a preview of every row with its problems, then (with `bevestigen`) the
  // good rows are added. The file travels with the preview (compressed), as the bulk check's does.
  router.post(paths.watchListImport(), ...buyers, async (req, res) => {
    const id = String(req.params.id);
    setFormContext(res, listAgain(req, id, requestTime(res), {}));
    const file = await readUpload(req, IMPORT_UPLOAD);
    const values = formValues(req.body, ['bron', 'kolom', 'bevestigen']);
    // Checked before the file is read: a list of another organisation is not found, whatever was sent.
    const list = await watchList(dataSource, req.user!, id);
    let bytes: Buffer;
    if (file?.buffer && file.size > 0) {
      bytes = file.buffer;
      values.bron = packSource(bytes);
      values.bevestigen = '';
    } else if (values.bron !== '') bytes = unpackSource(values.bron);
    else throw new ValidationError({ bestand: ['watch.importEmpty'] });
    const read = await readWatchImport(bytes, values.kolom);
    if (values.bevestigen === '1' && read.entries.length > 0 && !read.choices) {
      const { added, updated } = await addWatchEntries(
        dataSource,
        req.user!,
        { listId: id },
        read.entries,
        'import',
        limits,
        requestTime(res),
        { updateDates: true },
      );
      const updatedPart = updated > 0 ? `&bijgewerkt=${updated}` : '';
      return res.redirect(303, `${paths.watchList(id)}?toegevoegd=${added}${updatedPart}`);
    }
    // Each good row against the list as it is: new, on it already, or on it with other contract dates.
    const standing = standings(await entriesOfList(dataSource, req.user!, id), read.entries);
    const standingOf = new Map(read.entries.map((entry, i) => [entry, standing[i]!]));
    const rows = read.rows.map((row) => ({
      ...row,
      standing: row.entry ? standingOf.get(row.entry) : undefined,
    }));
    const count = (wanted: string) => standing.filter((s) => s === wanted).length;
    const newCount = count('new');
    const room = Math.max(0, limits.maxEntries - list.entryCount);
    res.render('buyer/import', {
      title: 'watch.importTitle',
      list,
      listUrl: paths.watchList(id),
      importUrl: paths.watchListImport(id),
      values: { bron: values.bron, kolom: values.kolom },
      choices: read.choices,
      columns: read.columns,
      rows,
      newCount,
      updateCount: count('datesDiffer'),
      onListCount: count('onList'),
      changeCount: newCount + count('datesDiffer'),
      overLimit: newCount > room ? { max: limits.maxEntries, room } : undefined,
      problemCount: read.rows.filter((row) => row.problems.length > 0).length,
    });
  });

  router.get(paths.watchListDownload(), ...buyers, async (req, res) => {
    const format = String(req.params.format);
    if (!(WATCH_DOWNLOAD_FORMATS as readonly string[]).includes(format)) {
      return res.status(404).render('errors/404', { title: 'errors.notFound.title' });
    }
    const now = requestTime(res);
    // As a bulk check's download (the same work): at most a few at once per client, across instances.
    if (!(await takeBulkCheckSlot(dataSource, config, req, res)))
      throw new TooManyRequestsError(BULK_RETRY_SECONDS, BULK_CHECKS_BUSY, {
        count: String(config.bulkChecksPerClient),
      });
    const { list, entries } = await watchListWithStatuses(dataSource, req.user!, String(req.params.id), now);
    const language = (res.locals.lang ?? 'nl') as Language;
    const body = await watchListDownload(entries, format as WatchDownloadFormat, language, providerUrl);
    res
      .type(format === 'csv' ? 'text/csv; charset=utf-8' : XLSX_TYPE)
      .attachment(`volglijst-${list.id.slice(0, 8)}.${format}`)
      .send(body);
  });

  // The suppliers of a bulk check's answer: with a list chosen (or a new one named) they are added;
  // without, the page to choose one.
  router.post(paths.watchFromBulkCheck, ...buyers, async (req, res) => {
    const values = formValues(req.body, ['nummers', 'lijst', 'listName']);
    const numbers = [
      ...new Set(
        values.nummers
          .split(/\s+/)
          .map((typed) => readKvkNumber(typed))
          .flatMap((reading) => (reading.kind === 'valid' ? [reading.kvkNumber] : [])),
      ),
    ].slice(0, MAX_WATCH_NUMBERS);
    const choiceModel = async () => ({
      title: 'watch.fromCheckTitle',
      count: numbers.length,
      lists: await watchListsOf(dataSource, req.user!),
    });
    setFormContext(res, {
      view: 'buyer/watch-from-check',
      load: async () => ({ model: await choiceModel(), values }),
    });
    if (numbers.length === 0) throw new ValidationError({ nummers: ['watch.noNumbers'] });
    if (values.lijst === '') {
      return res.render('buyer/watch-from-check', {
        ...(await choiceModel()),
        values: { ...values, nummers: numbers.join(' ') },
      });
    }
    const entries: WatchEntryInput[] = numbers.map((kvkNumber) => ({
      kvkNumber,
      reference: '',
      contractStart: null,
      contractEnd: null,
    }));
    const target = values.lijst === 'nieuw' ? { newListName: values.listName } : { listId: values.lijst };
    const { listId, added } = await addWatchEntries(
      dataSource,
      req.user!,
      target,
      entries,
      'bulk_check',
      limits,
      requestTime(res),
      { field: 'lijst' },
    );
    res.redirect(303, `${paths.watchList(listId)}?toegevoegd=${added}`);
  });

  return router;
}
