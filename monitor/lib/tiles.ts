/**
 * The static tile layout of C2SP tlog-tiles: tile paths, entry bundles, and a NodeReader that computes any
 * perfect subtree's hash from hash tiles (height 8, width 256).
 */
import { decodeDecimal, isCount } from './encoding';
import { nodeHash, type NodeReader, type NodeRef } from './merkle';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
const HASH_SIZE = 32;
const MAX_LEVEL = 63;

/** Tile index `n` as 3-digit path elements, all but the last with an "x": 1234067 → "x001/x234/067". */
function indexPath(index: number): string {
  if (!isCount(index)) throw new RangeError(`a tile index is a whole number from 0, not ${index}`);
  let digits = String(index);
  digits = digits.padStart(Math.ceil(digits.length / 3) * 3, '0');
  const groups = digits.match(/\d{3}/g) as string[];
  return groups.map((group, i) => (i < groups.length - 1 ? `x${group}` : group)).join('/');
}

function widthSuffix(width: number | undefined): string {
  if (width === undefined || width === TILE_WIDTH) return '';
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) {
    throw new RangeError(`a tile is 1 to ${TILE_WIDTH} wide, not ${width}`);
  }
  return `.p/${width}`;
}

/** The path of a hash tile: "tile/<L>/<N>[.p/<W>]" (no ".p" for a full tile). */
export function tilePath(level: number, index: number, width?: number): string {
  if (!Number.isInteger(level) || level < 0 || level > MAX_LEVEL) {
    throw new RangeError(`a tile level is 0 to ${MAX_LEVEL}, not ${level}`);
  }
  return `tile/${level}/${indexPath(index)}${widthSuffix(width)}`;
}

/** The path of an entry bundle: "tile/entries/<N>[.p/<W>]". */
export function entriesPath(index: number, width?: number): string {
  return `tile/entries/${indexPath(index)}${widthSuffix(width)}`;
}

/** Reads a tile or entry bundle path (without the log's prefix); undefined for anything not in its one canonical form. */
export function parseTilePath(
  path: string,
):
  | { kind: 'hashes'; level: number; index: number; width: number }
  | { kind: 'entries'; index: number; width: number }
  | undefined {
  const match = /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
    path,
  );
  if (match === null) return undefined;
  const [, kind, groups, widthText] = match as unknown as [string, string, string, string | undefined];
  const index = decodeDecimal(groups.replace(/[x/]/g, '').replace(/^0+(?=.)/, ''));
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (index === undefined || (widthText !== undefined && width >= TILE_WIDTH)) return undefined;
  if (kind === 'entries') {
    return entriesPath(index, width) === path ? { kind: 'entries', index, width } : undefined;
  }
  const level = Number(kind);
  if (level > MAX_LEVEL) return undefined;
  return tilePath(level, index, width) === path ? { kind: 'hashes', level, index, width } : undefined;
}

/** An entry bundle: each entry as a big-endian uint16 length and its bytes. */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Uint8Array[] = [];
  entries.forEach((entry, i) => {
    if (entry.length > 0xffff) throw new RangeError(`entry ${i} is ${entry.length} bytes, more than 65535`);
    const length = Buffer.alloc(2);
    length.writeUInt16BE(entry.length);
    parts.push(length, entry);
  });
  return Buffer.concat(parts);
}

/** The entries of a bundle; throws when the bundle is cut off. */
export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const bytes = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const entries: Buffer[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + 2 > bytes.length)
      throw new RangeError(`entry bundle cut off in the length of entry ${entries.length}`);
    const length = bytes.readUInt16BE(offset);
    offset += 2;
    if (offset + length > bytes.length)
      throw new RangeError(`entry bundle cut off in entry ${entries.length}`);
    entries.push(Buffer.from(bytes.subarray(offset, offset + length)));
    offset += length;
  }
  return entries;
}

/** The Merkle Tree Hash of a perfect run of hashes (a power of 2 of them). */
function perfectHash(hashes: readonly Buffer[]): Buffer {
  let row = hashes;
  while (row.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i] as Buffer, row[i + 1] as Buffer));
    row = next;
  }
  return row[0] as Buffer;
}

/**
 * A NodeReader over the hash tiles of the tree of `size` leaves: each read fetches every tile it needs once, in
 * parallel, with the width the tree of `size` gives it, and hashes inside the tiles up to the nodes asked.
 */
export function tileNodeReader(
  size: number,
  fetchTile: (level: number, index: number, width: number) => Promise<Uint8Array>,
): NodeReader {
  if (!isCount(size)) throw new RangeError(`a tree size is a whole number from 0, not ${size}`);
  return async (refs: readonly NodeRef[]) => {
    const tiles = new Map<string, Promise<Buffer[]>>();
    const tileOf = (level: number, index: number): Promise<Buffer[]> => {
      const key = `${level}/${index}`;
      let tile = tiles.get(key);
      if (tile === undefined) {
        const count = Math.floor(size / 2 ** (TILE_HEIGHT * level)); // hashes at this tile level in the tree
        const width = Math.min(TILE_WIDTH, count - index * TILE_WIDTH);
        tile = fetchTile(level, index, width).then((bytes) => {
          if (bytes.length !== width * HASH_SIZE) {
            throw new Error(
              `tile ${tilePath(level, index, width)} is ${bytes.length} bytes, not ${width * HASH_SIZE}`,
            );
          }
          const hashes: Buffer[] = [];
          for (let i = 0; i < width; i++)
            hashes.push(Buffer.from(bytes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE)));
          return hashes;
        });
        tiles.set(key, tile);
      }
      return tile;
    };
    const wanted = refs.map(async ({ level, index }) => {
      if (!isCount(level) || !isCount(index) || (index + 1) * 2 ** level > size) {
        throw new RangeError(`node ${level}/${index} is not a perfect subtree of a tree of ${size} leaves`);
      }
      const tileLevel = Math.floor(level / TILE_HEIGHT);
      const span = 2 ** (level - tileLevel * TILE_HEIGHT); // tile hashes under this node
      const first = index * span; // its first hash at the tile level
      const tileIndex = Math.floor(first / TILE_WIDTH);
      const hashes = await tileOf(tileLevel, tileIndex);
      const start = first - tileIndex * TILE_WIDTH;
      return perfectHash(hashes.slice(start, start + span));
    });
    return Promise.all(wanted);
  };
}
