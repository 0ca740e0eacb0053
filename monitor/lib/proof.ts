/**
 * Transparency log proofs (C2SP tlog-proof): an offline-checkable proof that an entry is in the log, made of
 * optional extra data, the entry's index, its inclusion proof and the signed checkpoint it leads to.
 */
import { decodeBase64, decodeDecimal, isCount } from './encoding';

export interface TlogProof {
  extra?: Buffer;
  index: number;
  proof: Buffer[];
  /** The signed note of the checkpoint, verbatim. */
  checkpoint: string;
}

const HEADER = 'c2sp.org/tlog-proof@v1';

/** Thrown when a tlog-proof is malformed; the message says what is wrong. */
export class TlogProofError extends Error {
  override name = 'TlogProofError';
}

/** The text of a .tlog-proof file. */
export function formatTlogProof(p: TlogProof): string {
  if (!isCount(p.index)) throw new TlogProofError(`the index is a whole number from 0, not ${p.index}`);
  p.proof.forEach((hash, i) => {
    if (hash.length !== 32) throw new TlogProofError(`proof hash ${i} is ${hash.length} bytes, not 32`);
  });
  if (p.checkpoint.length === 0 || !p.checkpoint.endsWith('\n')) {
    throw new TlogProofError('the checkpoint is a signed note ending in a newline');
  }
  const lines = [HEADER];
  if (p.extra !== undefined) lines.push(`extra ${p.extra.toString('base64')}`);
  lines.push(`index ${p.index}`, ...p.proof.map((hash) => hash.toString('base64')), '');
  return `${lines.join('\n')}\n${p.checkpoint}`;
}

/** Reads a .tlog-proof file; throws TlogProofError on anything malformed (the checkpoint is checked by its reader). */
export function parseTlogProof(text: string): TlogProof {
  const lines = text.split('\n');
  let next = 0;
  const line = (): string | undefined => lines[next++];
  if (line() !== HEADER) throw new TlogProofError(`the first line is not ${HEADER}`);
  let current = line();
  let extra: Buffer | undefined;
  if (current?.startsWith('extra ')) {
    extra = decodeBase64(current.slice('extra '.length));
    if (extra === undefined) throw new TlogProofError('the extra data is not base64');
    current = line();
  }
  if (current === undefined || !current.startsWith('index '))
    throw new TlogProofError('the index line is missing');
  const index = decodeDecimal(current.slice('index '.length));
  if (index === undefined)
    throw new TlogProofError('the index is not a decimal number without leading zeros');
  const proof: Buffer[] = [];
  for (current = line(); current !== undefined && current !== ''; current = line()) {
    const hash = decodeBase64(current);
    if (hash === undefined || hash.length !== 32) {
      throw new TlogProofError(`proof line ${proof.length + 1} is not a base64 SHA-256 hash`);
    }
    proof.push(hash);
  }
  if (current === undefined) throw new TlogProofError('the empty line before the checkpoint is missing');
  const checkpoint = lines.slice(next).join('\n');
  if (checkpoint.length === 0) throw new TlogProofError('the checkpoint is missing');
  return extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint };
}
