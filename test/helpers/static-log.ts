import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { formatCheckpoint } from '../../monitor/lib/checkpoint';
import { signTimestampedNote } from '../../monitor/lib/cosignature';
import { CompactRange, leafHash, type NodeReader } from '../../monitor/lib/merkle';
import { rawPublicKey, signNote, verifierKey } from '../../monitor/lib/note';
import { encodeEntryBundle, TILE_HEIGHT, TILE_WIDTH } from '../../monitor/lib/tiles';

/**
 * A transparency log in memory, built with monitor/lib only: entries, every perfect node, and the tiles, entry
 * bundles and signed checkpoints a tlog-tiles server would serve for any size. Tests bend it to play an
 * insider who rewrites history.
 */
export class StaticLog {
  readonly origin: string;
  readonly privateKey: KeyObject;
  readonly vkey: string;
  entries: Buffer[] = [];
  /** level → index → hash, every perfect node. */
  nodes = new Map<number, Buffer[]>();
  private range = new CompactRange();

  constructor(origin = 'register.example/transparantie', privateKey?: KeyObject) {
    this.origin = origin;
    this.privateKey = privateKey ?? generateKeyPairSync('ed25519').privateKey;
    this.vkey = verifierKey(origin, rawPublicKey(this.privateKey));
  }

  get size(): number {
    return this.range.size;
  }

  append(...entries: (string | Buffer)[]): this {
    for (const entry of entries) {
      const bytes = typeof entry === 'string' ? Buffer.from(entry, 'utf8') : entry;
      this.entries.push(bytes);
      for (const node of this.range.append(leafHash(bytes))) {
        const level = this.nodes.get(node.level) ?? [];
        level[node.index] = node.hash;
        this.nodes.set(node.level, level);
      }
    }
    return this;
  }

  root(): Buffer {
    return this.range.root();
  }

  /** Reads the perfect nodes straight from memory. */
  readonly reader: NodeReader = (refs) =>
    Promise.resolve(
      refs.map(({ level, index }) => {
        const hash = this.nodes.get(level)?.[index];
        if (hash === undefined) throw new RangeError(`no node ${level}/${index}`);
        return hash;
      }),
    );

  /** The hash tile (level, index) of width `width`, or undefined when the tree has no such tile. */
  tile(level: number, index: number, width: number): Buffer | undefined {
    const row = this.nodes.get(level * TILE_HEIGHT) ?? [];
    const hashes = row.slice(index * TILE_WIDTH, index * TILE_WIDTH + width);
    return hashes.length === width && hashes.every(Boolean) ? Buffer.concat(hashes) : undefined;
  }

  /** The entry bundle `index` of width `width`, or undefined when the log has no such bundle. */
  bundle(index: number, width: number): Buffer | undefined {
    const entries = this.entries.slice(index * TILE_WIDTH, index * TILE_WIDTH + width);
    return entries.length === width ? encodeEntryBundle(entries) : undefined;
  }

  /**
   * The signed checkpoint of the tree as it is now (or of `root` and `size` given); with `signedAt`
   * (POSIX seconds) also the log's timestamped signature, as the register signs them now.
   */
  checkpoint(size = this.size, root = this.root(), key = this.privateKey, signedAt?: number): string {
    const text = formatCheckpoint({ origin: this.origin, size, root, extensions: [] });
    return signedAt === undefined
      ? signNote(text, this.origin, key)
      : signTimestampedNote(text, this.origin, key, signedAt);
  }
}
