import type { Request, Response } from 'express';
import multer from 'multer';
import { csrfProtectionAfterUpload } from '../account/auth';
import { ValidationError } from './errors';

/**
 * A multipart form with at most one file, parsed in memory with the size checked while reading,
 * then its CSRF token checked (the token is a form field, so only after parsing). A file that is
 * too large, or a second file, is a ValidationError on `field`.
 */
export function singleFileForm(
  field: string,
  maxBytes: number,
  tooLargeKey: string,
  fieldSize?: number,
): (req: Request, res: Response) => Promise<void> {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxBytes, files: 1, fields: 10, ...(fieldSize ? { fieldSize } : {}) },
  }).single(field);
  return (req, res) =>
    new Promise((resolve, reject) =>
      upload(req, res, (error: unknown) => {
        if (error instanceof multer.MulterError) {
          return reject(
            new ValidationError({
              [field]: [
                error.code === 'LIMIT_FILE_SIZE' || error.code === 'LIMIT_FIELD_VALUE'
                  ? tooLargeKey
                  : 'validation.fileRequired',
              ],
            }),
          );
        }
        if (error) return reject(error);
        csrfProtectionAfterUpload(req, res, (csrfError?: unknown) =>
          csrfError ? reject(csrfError) : resolve(),
        );
      }),
    );
}
