import { inflateRawSync } from 'node:zlib';

/** Thrown when a ZIP archive is damaged, uses what we do not read (ZIP64, encryption), or unpacks too large. */
export class ZipRefusedError extends Error {
  constructor(readonly why: 'damaged' | 'tooLarge') {
    super(`zip archive refused: ${why}`);
  }
}

/** One member of a ZIP archive, as its central directory names it. */
export interface ZipMember {
  name: string;
  /** The bytes it really unpacks to (inflated to count them, never trusting the declared size). */
  size: number;
  /** The unpacked bytes, for the members `keep` asked for. */
  data?: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The members of a ZIP archive, each inflated once with a ceiling so that a "zip bomb" (a few
 * kilobytes that unpack to gigabytes) is refused after at most `maxTotalBytes` of work instead of
 * filling the memory of a library that unpacks everything at once (exceljs does). The declared
 * sizes are not trusted: each member is inflated with `maxOutputLength` set to what is left.
 */
export function inspectZip(
  bytes: Buffer,
  limits: { maxTotalBytes: number; maxMembers: number; keep?: (name: string) => boolean },
): ZipMember[] {
  const eocd = findEndOfCentralDirectory(bytes);
  const count = bytes.readUInt16LE(eocd + 10);
  let offset = bytes.readUInt32LE(eocd + 16);
  if (count > limits.maxMembers) throw new ZipRefusedError('tooLarge');
  const members: ZipMember[] = [];
  let budget = limits.maxTotalBytes;
  for (let i = 0; i < count; i++) {
    if (offset + 46 > bytes.length || bytes.readUInt32LE(offset) !== CENTRAL)
      throw new ZipRefusedError('damaged');
    const flags = bytes.readUInt16LE(offset + 8);
    const method = bytes.readUInt16LE(offset + 10);
    const compressedSize = bytes.readUInt32LE(offset + 20);
    const nameLength = bytes.readUInt16LE(offset + 28);
    const extraLength = bytes.readUInt16LE(offset + 30);
    const commentLength = bytes.readUInt16LE(offset + 32);
    const localOffset = bytes.readUInt32LE(offset + 42);
    const name = bytes.toString('utf8', offset + 46, offset + 46 + nameLength);
    offset += 46 + nameLength + extraLength + commentLength;
    // Bit 0: encrypted. 0xffffffff: a ZIP64 size, which no spreadsheet of a few megabytes needs.
    if (flags & 1 || compressedSize === 0xffffffff || localOffset === 0xffffffff)
      throw new ZipRefusedError('damaged');
    if (localOffset + 30 > bytes.length || bytes.readUInt32LE(localOffset) !== LOCAL)
      throw new ZipRefusedError('damaged');
    const start =
      localOffset + 30 + bytes.readUInt16LE(localOffset + 26) + bytes.readUInt16LE(localOffset + 28);
    const data = bytes.subarray(start, start + compressedSize);
    if (data.length !== compressedSize) throw new ZipRefusedError('damaged');
    let unpacked: Buffer;
    if (method === 0) unpacked = data;
    else if (method === 8) {
      try {
        unpacked = inflateRawSync(data, { maxOutputLength: Math.max(1, budget) });
      } catch (error) {
        if (error instanceof RangeError || (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
          throw new ZipRefusedError('tooLarge');
        throw new ZipRefusedError('damaged');
      }
    } else throw new ZipRefusedError('damaged');
    const size = unpacked.length;
    budget -= size;
    if (budget < 0) throw new ZipRefusedError('tooLarge');
    members.push(limits.keep?.(name) ? { name, size, data: unpacked } : { name, size });
  }
  return members;
}

function findEndOfCentralDirectory(bytes: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (bytes.readUInt32LE(i) === EOCD) return i;
  }
  throw new ZipRefusedError('damaged');
}
