import type { DataSource, EntityManager } from 'typeorm';
import { appendAuditEvent } from '../audit/audit.service';
import { looksLikePdf } from '../shared/pdf';
import { NotFoundError, ValidationError } from '../shared/errors';

/** What a KvK extract may be: the PDF the KvK sends, or a scan or photo of a paper one. */
export type ExtractMediaType = 'application/pdf' | 'image/png' | 'image/jpeg';

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const JPEG_MAGIC = Buffer.from([0xff, 0xd8, 0xff]);

/** The type of a file by its first bytes, whatever its name or declared type; undefined for any other. */
export function extractMediaType(head: Buffer): ExtractMediaType | undefined {
  if (looksLikePdf(head)) return 'application/pdf';
  if (head.subarray(0, PNG_MAGIC.length).equals(PNG_MAGIC)) return 'image/png';
  if (head.subarray(0, JPEG_MAGIC.length).equals(JPEG_MAGIC)) return 'image/jpeg';
  return undefined;
}

/** An uploaded extract as the upload reader gives it. */
export interface ExtractUpload {
  originalName: string;
  size: number;
  sha256: string;
  buffer?: Buffer;
}

/** The largest extract: as any evidence, 10 MB. */
export const MAX_EXTRACT_BYTES = 10 * 1024 * 1024;

/**
 * Checks an uploaded extract (there, not empty, a PDF, PNG or JPEG by its content): refused with a
 * message on `field` otherwise. Answers its media type.
 */
export function checkedExtract(
  file: ExtractUpload | undefined,
  field: string,
): { file: ExtractUpload & { buffer: Buffer }; mediaType: ExtractMediaType } {
  if (!file?.buffer || file.size === 0) throw new ValidationError({ [field]: ['claim.extractRequired'] });
  const mediaType = extractMediaType(file.buffer);
  if (!mediaType) throw new ValidationError({ [field]: ['claim.extractType'] });
  return { file: file as ExtractUpload & { buffer: Buffer }, mediaType };
}

/** Stores an extract of a provider or of a claim, in the caller's transaction; answers its id. */
export async function storeExtract(
  manager: EntityManager,
  of: { providerId: string } | { claimId: string },
  upload: { file: ExtractUpload & { buffer: Buffer }; mediaType: ExtractMediaType },
  uploadedBy: string,
  now: Date,
): Promise<string> {
  const [row] = await manager.query<{ id: string }[]>(
    `INSERT INTO kvk_extracts (provider_id, claim_id, filename, media_type, size, sha256, content, uploaded_by, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      'providerId' in of ? of.providerId : null,
      'claimId' in of ? of.claimId : null,
      upload.file.originalName.slice(0, 200) || 'uittreksel',
      upload.mediaType,
      upload.file.size,
      upload.file.sha256,
      upload.file.buffer,
      uploadedBy,
      now,
    ],
  );
  if (!row) throw new Error('INSERT … RETURNING gave no row');
  return row.id;
}

/** An extract as staff pages list it (without its bytes). */
export interface ExtractSummary {
  id: string;
  filename: string;
  mediaType: string;
  size: number;
  sha256: string;
  createdAt: Date;
}

/** The extracts of a provider, newest first. */
export function providerExtracts(manager: EntityManager, providerId: string): Promise<ExtractSummary[]> {
  return manager.query<ExtractSummary[]>(
    `SELECT id, filename, media_type AS "mediaType", size, sha256, created_at AS "createdAt"
       FROM kvk_extracts WHERE provider_id = $1 ORDER BY created_at DESC`,
    [providerId],
  );
}

/** One extract with its bytes, for staff; not found when unknown. */
export async function extractContent(
  manager: EntityManager,
  id: string,
): Promise<ExtractSummary & { content: Buffer; providerId: string | null; claimId: string | null }> {
  const [row] = /^[0-9a-f-]{36}$/i.test(id)
    ? await manager.query<
        (ExtractSummary & { content: Buffer; providerId: string | null; claimId: string | null })[]
      >(
        `SELECT id, filename, media_type AS "mediaType", size, sha256, created_at AS "createdAt", content,
                provider_id AS "providerId", claim_id AS "claimId"
           FROM kvk_extracts WHERE id::text = $1`,
        [id],
      )
    : [];
  if (!row) throw new NotFoundError(`no extract ${id}`);
  return row;
}

/** A member of staff downloads an extract: the download is audited (who opened which evidence when). */
export async function downloadExtract(dataSource: DataSource, id: string, actor: string, now: Date) {
  return dataSource.transaction(async (manager) => {
    const extract = await extractContent(manager, id);
    await appendAuditEvent(manager, now, {
      actor,
      action: 'evidence.extract_downloaded',
      subjectType: extract.providerId ? 'provider' : 'claim',
      subjectId: extract.providerId ?? extract.claimId!,
      data: { extractId: extract.id, sha256: extract.sha256 },
    });
    return extract;
  });
}
