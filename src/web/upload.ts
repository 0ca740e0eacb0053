import { createHash } from 'node:crypto';
import busboy from 'busboy';
import type { NextFunction, Request, Response } from 'express';
import { CsrfRefusedError, type Csrf } from './auth';
import { AppError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { forbiddenCharactersError } from './request-guards';

/**
 * The only routes that accept multipart bodies. Every other route answers 415 to one, so that no
 * route can skip the CSRF check by being sent a body the global check cannot read.
 */
export const UPLOAD_ROUTES: readonly string[] = [
  // The application page is one form: every one of its buttons sends the typed details and a chosen file.
  paths.application(),
  paths.applicationEvidence(),
  paths.evidenceDelete(),
  paths.applicationReply(),
  paths.verification,
  paths.bulkCheck,
  paths.aanImport,
  paths.claim,
  paths.reviewProviderIdentity(),
  // A buyer's supplier list, read into a watch list (issue 18).
  paths.watchListImport(),
  // A provider's declared resellers, from a spreadsheet (issue 19).
  paths.resellerImport,
  // A signal supplier's list of signals (issue 19).
  paths.signalImport,
];

const UPLOAD_PATTERNS = UPLOAD_ROUTES.map(
  (route) => new RegExp(`^${route.replace(/:[A-Za-z]+/g, '[^/]+').replace(/\./g, '\\.')}/?$`),
);

export function isUploadRoute(req: Request): boolean {
  return req.method === 'POST' && UPLOAD_PATTERNS.some((pattern) => pattern.test(req.path));
}

/** Thrown for a multipart body sent to a route that takes none. */
export class MultipartRefusedError extends AppError {
  readonly status = 415;
  constructor() {
    super('errors.multipart', 'multipart body on a route that takes no upload');
  }
}

/** Refuses multipart bodies everywhere but on the upload routes, before any route runs. */
export function multipartOnlyOnUploads(req: Request, _res: Response, next: NextFunction): void {
  if (req.is('multipart/form-data') && !isUploadRoute(req)) return next(new MultipartRefusedError());
  next();
}

/** Thrown for a multipart form with more fields or parts than any form of the register has. */
class FormTooLargeError extends AppError {
  readonly status = 413;
  constructor() {
    super('errors.formTooLarge', 'multipart form over its field or part limit');
  }
}

/**
 * The name of an uploaded file without control characters, line breaks or invisible formatting
 * marks (a NUL or a right-to-left override sent with filename*=): what is shown and kept of it.
 */
function cleanFileName(name: string): string {
  return name.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '');
}

/** One uploaded file as read from the stream. */
export interface UploadedFile {
  /**
   * The name the browser sent (no path: busboy keeps only the last part), without control
   * characters or invisible marks.
   */
  originalName: string;
  size: number;
  sha256: string;
  /** The first bytes, enough to recognise the file type. */
  head: Buffer;
  /** The whole file, unless the form was read with `keep: 'head'`. */
  buffer?: Buffer;
  /** With `prefixEnds`: the SHA-256 of the file's first `end` bytes, for each end it named. */
  prefixHashes: Map<number, string>;
}

export interface UploadOptions {
  /** The name of the file input. */
  field: string;
  maxBytes: number;
  /** The message key when the file is larger than `maxBytes`. */
  tooLargeKey: string;
  /** 'head': only the hash and the first bytes are kept, nothing else is buffered. */
  keep: 'buffer' | 'head';
  /** The largest text field (a pasted list); 100 kB unless given. */
  fieldSize?: number;
  /** How many text fields the form may have; 10 unless given. */
  fields?: number;
  /**
   * Offsets the file names in itself (read as latin1 text, piece by piece as it streams) at which
   * the hash of everything before is wanted too, so that nothing needs to be kept to hash a prefix.
   */
  prefixEnds?: (text: string) => number[];
}

/** How many prefix hashes one file may ask for, and how far a name may run across two pieces. */
const MAX_PREFIXES = 8;
const PREFIX_OVERLAP = 256;

/**
 * Hashes a file as it streams, and on the way the prefixes it names (see `prefixEnds`): a wanted
 * end in a later piece is reached by hashing up to it and taking a copy of the hash there.
 */
export function streamingHash(prefixEnds: UploadOptions['prefixEnds']) {
  const hash = createHash('sha256');
  const prefixHashes = new Map<number, string>();
  const wanted = new Set<number>();
  let tail = '';
  let size = 0;
  return {
    prefixHashes,
    update(chunk: Buffer): void {
      const start = size;
      size += chunk.length;
      if (!prefixEnds) return void hash.update(chunk);
      const text = tail + chunk.toString('latin1');
      tail = text.slice(-PREFIX_OVERLAP);
      for (const end of prefixEnds(text))
        if (end >= start && !prefixHashes.has(end) && wanted.size + prefixHashes.size < MAX_PREFIXES)
          wanted.add(end);
      let from = 0;
      for (const end of [...wanted].sort((x, y) => x - y)) {
        if (end > size) break;
        hash.update(chunk.subarray(from, end - start));
        from = end - start;
        prefixHashes.set(end, hash.copy().digest('hex'));
        wanted.delete(end);
      }
      hash.update(chunk.subarray(from));
    },
    digest: () => hash.digest('hex'),
  };
}

const HEAD_BYTES = 1024;

/**
 * Reads a multipart form as it streams in. The `_csrf` field must come before the file (the forms
 * put it first) and is checked the moment it arrives; a file before a valid token, or a second
 * file, ends the request at once without reading the rest. The file is hashed and counted
 * against its limit while it streams. Text fields land in `req.body`.
 *
 * Until a valid token has been read, every way the form can fail is a CSRF refusal (403): a form
 * that is too large, malformed or cut off says nothing else to a sender without a token. With the
 * token, too many fields or parts is a 413 about the form, a part that cannot be read (a NUL in a
 * file name) a message on the file field.
 *
 * A URL-encoded post (a form without a file) was parsed and CSRF-checked by the global
 * middleware already: it has no file.
 */
export function readUpload(req: Request, options: UploadOptions): Promise<UploadedFile | undefined> {
  if (!req.is('multipart/form-data')) return Promise.resolve(undefined);
  const csrf = req.app.locals.csrf as Csrf;
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        defParamCharset: 'utf8',
        limits: {
          fields: options.fields ?? 10,
          fieldSize: options.fieldSize ?? 100 * 1024,
          parts: 20,
          fileSize: options.maxBytes + 1,
        },
      });
    } catch {
      // No boundary or not multipart after all: nothing, the token neither, could be read.
      return reject(new CsrfRefusedError('token'));
    }
    const body: Record<string, string> = {};
    let tokenValid = false;
    let file: UploadedFile | undefined;
    let fileDone = true;
    let parserDone = false;
    let settled = false;

    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      // What went wrong is told only to the sender of a valid token; anyone else hears 403.
      const answer = tokenValid || error instanceof CsrfRefusedError ? error : new CsrfRefusedError('token');
      req.unpipe(parser);
      parser.removeAllListeners();
      parser.on('error', () => undefined);
      // The rest of the body is discarded as it arrives (never buffered) while the answer goes out.
      req.resume();
      reject(answer);
    };
    const finish = () => {
      if (settled || !parserDone || !fileDone) return;
      if (!tokenValid) return fail(new CsrfRefusedError('token'));
      const forbidden = forbiddenCharactersError(req.res, body);
      if (forbidden) return fail(forbidden);
      settled = true;
      req.body = body;
      resolve(file);
    };

    parser.on('field', (name, value, info) => {
      if (name === '_csrf') {
        if (!csrf.validToken(req, value)) return fail(new CsrfRefusedError('token'));
        tokenValid = true;
        return;
      }
      if (info.valueTruncated) return fail(new ValidationError({ [options.field]: [options.tooLargeKey] }));
      if (/^[A-Za-z][A-Za-z0-9_]*$/.test(name)) body[name] = value;
    });

    parser.on('file', (name, stream, info) => {
      if (!tokenValid) return fail(new CsrfRefusedError('token'));
      // A file input left empty still sends a part, with no name and no bytes.
      if (info.filename === '' || info.filename === undefined) return void stream.resume();
      const originalName = cleanFileName(info.filename);
      if (name !== options.field || file) {
        return fail(new ValidationError({ [options.field]: ['validation.oneFile'] }));
      }
      const hash = streamingHash(options.prefixEnds);
      const chunks: Buffer[] = [];
      let head = Buffer.alloc(0);
      let size = 0;
      fileDone = false;
      file = { originalName, size: 0, sha256: '', head, prefixHashes: hash.prefixHashes };
      stream.on('data', (chunk: Buffer) => {
        if (settled) return;
        size += chunk.length;
        if (size > options.maxBytes) {
          stream.resume();
          return fail(new ValidationError({ [options.field]: [options.tooLargeKey] }));
        }
        hash.update(chunk);
        if (head.length < HEAD_BYTES)
          head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
        if (options.keep === 'buffer') chunks.push(chunk);
      });
      stream.on('end', () => {
        if (settled) return;
        file = {
          originalName,
          size,
          sha256: hash.digest(),
          head,
          prefixHashes: hash.prefixHashes,
          ...(options.keep === 'buffer' ? { buffer: Buffer.concat(chunks, size) } : {}),
        };
        fileDone = true;
        finish();
      });
    });

    parser.on('filesLimit', () => fail(new ValidationError({ [options.field]: ['validation.oneFile'] })));
    parser.on('fieldsLimit', () => fail(new FormTooLargeError()));
    parser.on('partsLimit', () => fail(new FormTooLargeError()));
    // Busboy refuses a part header it cannot read: from a browser, only a file name can cause that.
    parser.on('error', () => fail(new ValidationError({ [options.field]: ['validation.formUnreadable'] })));
    parser.on('close', () => {
      parserDone = true;
      finish();
    });
    req.on('aborted', () => fail(new ValidationError({ [options.field]: ['validation.fileRequired'] })));
    req.pipe(parser);
  });
}
