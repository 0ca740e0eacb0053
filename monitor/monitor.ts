/**
 * The independent monitor of the register's transparency log. It trusts nothing but the log's public key:
 *
 *   npm run monitor -- <register URL> [--key <vkey> | --key-file <file>] [--state <file>] [--trust-on-first-use] [--new-only]
 *                      [--max-age-hours <n>]
 *     fetches the latest signed checkpoint, checks its signature (and the log's timestamped signature, when it
 *     carries one: signed at most <n> hours ago, default 25, and not in the future), checks that it is consistent with the last
 *     checkpoint this monitor saw (kept in the state file), downloads the leaves and checks that they hash
 *     to what the tree holds and that the new ones rebuild the root. Every leaf is checked again on every
 *     run (an event rewritten since the last run shows), unless --new-only: then only the new ones. Prints one line, OK or FAIL; exit 0 (OK), 1 (FAIL: the log misbehaves), 2 (usage or
 *     network error).
 *
 *   npm run monitor -- check-proof <attestation.pdf> <proof.tlog-proof> --key <vkey> | --key-file <file>
 *     checks offline that the PDF is the attestation whose issue the proof shows in the signed log.
 *
 *   ... --witness-key-file <PKCS#8 PEM> --witness-name <name>: a witness (C2SP tlog-cosignature). After an OK
 *     run the monitor cosigns the checkpoint it verified and posts the cosignature to the register; a FAIL
 *     run never cosigns. `npm run monitor -- witness-key <name> <out.pem>` makes a witness key and prints
 *     the verifier key to give the register's operator.
 *
 * Only node: built-ins, nothing from the register's own code: anyone can run it.
 */
import { createHash, createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { type Checkpoint, parseCheckpoint } from './lib/checkpoint';
import {
  CompactRange,
  consistencyProof,
  leafHash,
  ProofError,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
} from './lib/merkle';
import { cosign, openTimestampedNote, witnessVerifierKey } from './lib/cosignature';
import { isKeyName, parseVerifierKey, rawPublicKey } from './lib/note';
import { parseTlogProof } from './lib/proof';
import { decodeEntryBundle, entriesPath, tileNodeReader, tilePath, TILE_WIDTH } from './lib/tiles';

const USAGE = `usage:
  npm run monitor -- <register URL> [--key <vkey> | --key-file <file>] [--state <file>] [--trust-on-first-use] [--new-only]
                     [--max-age-hours <n>] [--witness-key-file <PKCS#8 PEM> --witness-name <name>]
  npm run monitor -- check-proof <attestation.pdf> <proof.tlog-proof> --key <vkey> | --key-file <file>
  npm run monitor -- witness-key <name> <out.pem>`;
const DEFAULT_STATE = './.register-monitor.json';
const LOG_PATH = '/transparantie';
const REQUEST_TIMEOUT_MS = 30_000;
/** Entry bundles (with their level-0 tiles) fetched at the same time. */
const PARALLEL_FETCHES = 8;
/** The daily checkpoint and an hour's slack: older, the register has stopped signing. */
const DEFAULT_MAX_AGE_HOURS = 25;
/** How far in the future a signing time may lie: clocks differ a little. */
const FUTURE_SLACK_SECONDS = 10 * 60;

/** Where the monitor writes its lines (the process's stdout/stderr, or a test's lists). */
export interface MonitorOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Bad arguments or a state file that cannot be used: exit 2. */
class UsageError extends Error {}
/** The register could not be reached or answered with an error: exit 2. */
class NetworkError extends Error {}
/** The log misbehaves: exit 1, with exactly what is wrong. */
class LogFailure extends Error {}

interface Options {
  positional: string[];
  key?: string;
  keyFile?: string;
  state: string;
  trustOnFirstUse: boolean;
  /** Check only the leaves added since the last run (and the rest of a partial bundle), not every leaf again. */
  newOnly: boolean;
  /** The oldest a checkpoint's signed time may be, in hours. */
  maxAgeHours: number;
  /** A witness: its Ed25519 key (PKCS#8 PEM file) and name, to cosign what an OK run verified. */
  witnessKeyFile?: string;
  witnessName?: string;
}

function parseArgs(args: readonly string[]): Options {
  const options: Options = {
    positional: [],
    state: DEFAULT_STATE,
    trustOnFirstUse: false,
    newOnly: false,
    maxAgeHours: DEFAULT_MAX_AGE_HOURS,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const value = (): string => {
      const next = args[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--key') options.key = value();
    else if (arg === '--key-file') options.keyFile = value();
    else if (arg === '--state') options.state = value();
    else if (arg === '--trust-on-first-use') options.trustOnFirstUse = true;
    else if (arg === '--new-only') options.newOnly = true;
    else if (arg === '--max-age-hours') options.maxAgeHours = hours(value());
    else if (arg === '--witness-key-file') options.witnessKeyFile = value();
    else if (arg === '--witness-name') options.witnessName = value();
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else options.positional.push(arg);
  }
  if (options.key !== undefined && options.keyFile !== undefined) {
    throw new UsageError('give --key or --key-file, not both');
  }
  if ((options.witnessKeyFile === undefined) !== (options.witnessName === undefined)) {
    throw new UsageError('a witness needs both --witness-key-file and --witness-name');
  }
  return options;
}

/** A positive number of hours, for --max-age-hours. */
function hours(text: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text) || !(n > 0))
    throw new UsageError(`--max-age-hours needs a positive number of hours, not ${text}`);
  return n;
}

/** A signing time (POSIX seconds) as ISO 8601, to the second. */
function isoTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

/** The verifier key from --key or --key-file, checked; undefined when neither is given. */
async function givenKey(options: Options): Promise<string | undefined> {
  let vkey = options.key;
  if (options.keyFile !== undefined) {
    try {
      vkey = (await readFile(options.keyFile, 'utf8')).trim();
    } catch (error) {
      throw new UsageError(`cannot read the key file ${options.keyFile}: ${(error as Error).message}`);
    }
  }
  if (vkey !== undefined) checkVerifierKey(vkey);
  return vkey;
}

function checkVerifierKey(vkey: string): void {
  try {
    parseVerifierKey(vkey);
  } catch (error) {
    throw new UsageError(`not a verifier key (<name>+<key ID>+<key>): ${(error as Error).message}`);
  }
}

/** GET `url`; a 404/410 is `undefined` (the log does not serve it), any other failure a NetworkError. */
async function get(url: string): Promise<Buffer | undefined> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS), redirect: 'follow' });
  } catch (error) {
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    throw new NetworkError(`cannot fetch ${url}: ${(error as Error).message}${cause ? ` (${cause})` : ''}`);
  }
  if (response.status === 404 || response.status === 410) return undefined;
  if (!response.ok) throw new NetworkError(`cannot fetch ${url}: HTTP ${response.status}`);
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (error) {
    throw new NetworkError(`cannot read ${url}: ${(error as Error).message}`);
  }
}

/** The monitor's memory of the log: the last checkpoint it verified and the right edge of that tree. */
interface State {
  origin: string;
  vkey: string;
  size: number;
  root: Buffer;
  checkpoint: string;
  edge: CompactRange;
}

interface StateFile {
  origin: string;
  vkey: string;
  size: number;
  root: string;
  checkpoint: string;
  edge: string[];
}

async function loadState(file: string): Promise<State | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot read the state file ${file}: ${(error as Error).message}`);
  }
  try {
    const saved = JSON.parse(text) as StateFile;
    checkVerifierKey(saved.vkey);
    const root = Buffer.from(saved.root, 'base64');
    const edge = new CompactRange(
      saved.size,
      saved.edge.map((hash) => Buffer.from(hash, 'base64')),
    );
    if (
      typeof saved.origin !== 'string' ||
      typeof saved.checkpoint !== 'string' ||
      !edge.root().equals(root)
    ) {
      throw new Error('its edge does not give its root');
    }
    return {
      origin: saved.origin,
      vkey: saved.vkey,
      size: saved.size,
      root,
      checkpoint: saved.checkpoint,
      edge,
    };
  } catch (error) {
    throw new UsageError(
      `the state file ${file} is damaged (${(error as Error).message}); remove it to start over from size 0`,
    );
  }
}

/** Writes the state to a temporary file and renames it over the old one, so a crash never leaves half a file. */
async function saveState(file: string, state: State): Promise<void> {
  const saved: StateFile = {
    origin: state.origin,
    vkey: state.vkey,
    size: state.size,
    root: state.root.toString('base64'),
    checkpoint: state.checkpoint,
    edge: state.edge.hashes.map((hash) => hash.toString('base64')),
  };
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(saved, null, 2)}\n`, { mode: 0o644 });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new UsageError(`cannot write the state file ${file}: ${(error as Error).message}`);
  }
}

/** Fetches the tiles and entry bundles that the log's checkpoint of `size` requires, each once. */
function logReader(
  prefix: string,
  size: number,
): {
  tile: (level: number, index: number, width: number) => Promise<Buffer>;
  bundle: (index: number, width: number) => Promise<Buffer>;
} {
  const cache = new Map<string, Promise<Buffer>>();
  const fetchServed = (path: string): Promise<Buffer> => {
    let pending = cache.get(path);
    if (pending === undefined) {
      pending = get(`${prefix}/${path}`).then((bytes) => {
        if (bytes === undefined) {
          throw new LogFailure(
            `the log does not serve ${path}, which its checkpoint of size ${size} requires`,
          );
        }
        return bytes;
      });
      cache.set(path, pending);
    }
    return pending;
  };
  return {
    tile: async (level, index, width) => {
      const path = tilePath(level, index, width);
      const bytes = await fetchServed(path);
      if (bytes.length !== width * 32)
        throw new LogFailure(`tile ${path} is ${bytes.length} bytes, not ${width * 32}`);
      return bytes;
    },
    bundle: (index, width) => fetchServed(entriesPath(index, width)),
  };
}

/** Checks the log at `url` against the state; returns the new state and how many leaves were new. */
async function monitorLog(
  url: string,
  vkey: string,
  last: State | undefined,
  checks: { newOnly: boolean; maxAgeHours: number; now: Date },
): Promise<{ state: State; text: string; added: number; rechecked: number; signedAt?: number }> {
  const { newOnly } = checks;
  const prefix = `${url}${LOG_PATH}`;
  const keyName = parseVerifierKey(vkey).name;
  const body = await get(`${prefix}/checkpoint`);
  if (body === undefined) throw new NetworkError(`${prefix}/checkpoint: HTTP 404, no checkpoint served`);
  const note = body.toString('utf8');

  const { text, timestamp: signedAt } = openCheckpointNote(note, vkey);
  let checkpoint: Checkpoint;
  try {
    checkpoint = parseCheckpoint(text);
  } catch (error) {
    throw new LogFailure(`the signed checkpoint is malformed: ${(error as Error).message}`);
  }
  const { size, root } = checkpoint;
  if (checkpoint.origin !== keyName) {
    throw new LogFailure(`the checkpoint's origin ${checkpoint.origin} is not the key's name ${keyName}`);
  }
  if (last !== undefined && last.origin !== checkpoint.origin) {
    throw new LogFailure(
      `the checkpoint's origin ${checkpoint.origin} is not the origin seen before, ${last.origin}`,
    );
  }
  const lastSize = last?.size ?? 0;
  if (last !== undefined && size < last.size) {
    throw new LogFailure(
      `log shrank: the checkpoint has size ${size}, smaller than size ${last.size} seen before`,
    );
  }
  if (last !== undefined && size === last.size && !root.equals(last.root)) {
    throw new LogFailure(
      `fork: size ${size} now has root ${root.toString('base64')}, before it had root ${last.root.toString('base64')}`,
    );
  }

  const log = logReader(prefix, size);
  const nodes = tileNodeReader(size, log.tile);
  if (last !== undefined && last.size > 0 && size > last.size) {
    const proof = await consistencyProof(last.size, size, nodes);
    try {
      verifyConsistency(last.size, size, last.root, root, proof);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      throw new LogFailure(`consistency proof from size ${last.size} to ${size} fails: ${error.message}`);
    }
  }
  if (!(await treeRoot(size, nodes)).equals(root)) {
    throw new LogFailure(`the log's tiles do not rebuild the root of its checkpoint of size ${size}`);
  }

  const edge = new CompactRange(lastSize, last?.edge.hashes ?? []);
  const bundles: number[] = [];
  // The tree of the last checkpoint cannot have changed (the consistency proof says so), but the
  // entries served for it can: an insider who rewrites an event and leaves the tree alone. So
  // every leaf is checked again, unless asked for the new ones only.
  const from = newOnly ? lastSize : 0;
  for (let bundle = Math.floor(from / TILE_WIDTH); bundle * TILE_WIDTH < size; bundle++) bundles.push(bundle);
  for (let start = 0; start < bundles.length; start += PARALLEL_FETCHES) {
    const batch = bundles.slice(start, start + PARALLEL_FETCHES).map((bundle) => {
      const width = Math.min(TILE_WIDTH, size - bundle * TILE_WIDTH);
      return { bundle, width, fetched: Promise.all([log.bundle(bundle, width), log.tile(0, bundle, width)]) };
    });
    // Every fetch of the batch has started; a failure is handled below, in order.
    for (const { fetched } of batch) fetched.catch(() => undefined);
    for (const { bundle, width, fetched } of batch) {
      const [bundleBytes, tileBytes] = await fetched;
      let entries: Buffer[];
      try {
        entries = decodeEntryBundle(bundleBytes);
      } catch (error) {
        throw new LogFailure(
          `entry bundle ${entriesPath(bundle, width)} is malformed: ${(error as Error).message}`,
        );
      }
      if (entries.length !== width) {
        throw new LogFailure(
          `entry bundle ${entriesPath(bundle, width)} holds ${entries.length} entries, not ${width}`,
        );
      }
      // Every leaf of the bundle is checked, also those of a partial bundle verified before (an
      // event rewritten since would show); only the new ones extend the edge.
      for (let i = 0; i < width; i++) {
        const index = bundle * TILE_WIDTH + i;
        const hash = leafHash(entries[i] as Buffer);
        if (!hash.equals(tileBytes.subarray(i * 32, (i + 1) * 32))) {
          throw new LogFailure(`leaf ${index}: content does not hash to what the tree holds`);
        }
        if (index >= edge.size) edge.append(hash);
      }
    }
  }
  if (!edge.root().equals(root)) {
    throw new LogFailure(`the leaves do not rebuild the root of the checkpoint of size ${size}`);
  }
  // Last: what the log signed is right, but is it still signing?
  if (signedAt !== undefined) checkSignedTime(signedAt, checks.now, checks.maxAgeHours);
  return {
    state: { origin: checkpoint.origin, vkey, size, root, checkpoint: note, edge },
    text,
    added: size - lastSize,
    // Leaves seen before that this run checked again: all, or those of a partial bundle.
    rechecked: lastSize - Math.floor(from / TILE_WIDTH) * TILE_WIDTH,
    ...(signedAt !== undefined ? { signedAt } : {}),
  };
}

/** Opens a checkpoint note with the log key, and its timestamped signature when it has one; LogFailure when not. */
function openCheckpointNote(note: string, vkey: string): { text: string; timestamp?: number } {
  try {
    return openTimestampedNote(note, vkey);
  } catch (error) {
    throw new LogFailure(
      `the checkpoint signature does not verify with key ${shortKey(vkey)}: ${(error as Error).message}`,
    );
  }
}

/**
 * A log signs at least once a day, grown or not: a latest checkpoint signed longer ago than
 * `maxAgeHours` means the register stopped signing (or serves an old checkpoint). A time in the
 * future is no time the log can have signed at.
 */
function checkSignedTime(signedAt: number, now: Date, maxAgeHours: number): void {
  const age = now.getTime() / 1000 - signedAt;
  if (age > maxAgeHours * 3600) {
    throw new LogFailure(
      `stale: the latest checkpoint was signed at ${isoTime(signedAt)}, more than ${maxAgeHours} h ago: the register has stopped signing`,
    );
  }
  if (-age > FUTURE_SLACK_SECONDS) {
    throw new LogFailure(
      `the latest checkpoint says it was signed at ${isoTime(signedAt)}, more than ${FUTURE_SLACK_SECONDS / 60} minutes in the future (it is ${isoTime(Math.floor(now.getTime() / 1000))} here)`,
    );
  }
}

/** "signed at <ISO time>", or "(no signed time)" for a checkpoint without the log's timestamped signature. */
function signedTimeWords(signedAt: number | undefined): string {
  return signedAt === undefined ? '(no signed time)' : `signed at ${isoTime(signedAt)}`;
}

/** "name+keyid" of a verifier key, for messages. */
function shortKey(vkey: string): string {
  return vkey.split('+').slice(0, 2).join('+');
}

async function runWatch(options: Options, output: MonitorOutput, now: () => Date): Promise<number> {
  if (options.positional.length !== 1) throw new UsageError('give exactly one register URL');
  const given = options.positional[0] as string;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`not a URL: ${given}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new UsageError(`not an http(s) URL: ${given}`);
  const base = url.href.replace(/\/+$/, '');

  const last = await loadState(options.state);
  let vkey = (await givenKey(options)) ?? last?.vkey;
  if (vkey === undefined) {
    if (!options.trustOnFirstUse) {
      throw new UsageError(
        `no key to check the log with: give --key <vkey> or --key-file <file>.\n` +
          `The register serves its key at ${base}${LOG_PATH}/sleutel, but take it from a source you trust ` +
          `(the register's README or site, not only the server you are checking), ` +
          `or pass --trust-on-first-use to pin the key the register serves now.`,
      );
    }
    const served = await get(`${base}${LOG_PATH}/sleutel`);
    if (served === undefined) throw new NetworkError(`${base}${LOG_PATH}/sleutel: HTTP 404, no key served`);
    vkey = served.toString('utf8').trim();
    checkVerifierKey(vkey);
    output.err(`trusting on first use the key the register serves: ${vkey}`);
  }
  const origin = last?.origin ?? parseVerifierKey(vkey).name;
  const witness = await witnessKey(options);
  let verified: Awaited<ReturnType<typeof monitorLog>>;
  try {
    verified = await monitorLog(base, vkey, last, {
      newOnly: options.newOnly,
      maxAgeHours: options.maxAgeHours,
      now: now(),
    });
  } catch (error) {
    if (!(error instanceof LogFailure)) throw error;
    output.out(`FAIL ${origin}: ${error.message}`);
    return 1;
  }
  const { state, text, added, rechecked, signedAt } = verified;
  await saveState(options.state, state);
  const again = rechecked > 0 ? `, ${rechecked} checked again` : '';
  output.out(
    `OK ${state.origin} size ${state.size} (+${added} leaves${again}) root ${state.root.toString('base64')} ${signedTimeWords(signedAt)}`,
  );
  return witness ? submitCosignature(base, text, witness, output) : 0;
}

/** The witness key and name of --witness-key-file and --witness-name, checked; undefined when not a witness. */
async function witnessKey(options: Options): Promise<{ name: string; key: KeyObject } | undefined> {
  const { witnessKeyFile: file, witnessName: name } = options;
  if (file === undefined || name === undefined) return undefined;
  if (!isKeyName(name)) throw new UsageError(`not a usable witness name (no spaces or plus signs): ${name}`);
  const pem = await readGiven(file);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new UsageError(`${file} is not a PKCS#8 PEM private key: ${(error as Error).message}`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new UsageError(`${file} holds a ${key.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 key`);
  return { name, key };
}

/**
 * Cosigns the checkpoint text an OK run verified, now, and posts it to the register as a cosigned
 * checkpoint (the text, a blank line, the cosignature line). Exit 0 when the register keeps it (or
 * had it already), 2 when it refuses it: the witness is set up wrong on one side or the other.
 */
async function submitCosignature(
  base: string,
  text: string,
  witness: { name: string; key: KeyObject },
  output: MonitorOutput,
): Promise<number> {
  const line = cosign(text, witness.name, witness.key, Math.floor(Date.now() / 1000));
  const url = `${base}${LOG_PATH}/cosignaturen`;
  let response: Response;
  let answer: string;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: `${text}\n${line}\n`,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    answer = await response.text();
  } catch (error) {
    throw new NetworkError(`cannot post the cosignature to ${url}: ${(error as Error).message}`);
  }
  // The register answers in Dutch, then English: the last line.
  const said = answer.trim().split('\n').at(-1) ?? '';
  if (response.status === 201) {
    output.out(`cosigned as ${witness.name}: the register accepted it`);
    return 0;
  }
  if (response.status === 200) {
    output.out(`cosigned as ${witness.name}: the register had this witness's cosignature of it already`);
    return 0;
  }
  output.err(`cosigned as ${witness.name}: the register refused it (HTTP ${response.status}: ${said})`);
  return 2;
}

/** Makes a witness key: the PKCS#8 PEM file (never overwritten, readable by its owner only) and its verifier key. */
async function runWitnessKey(options: Options, output: MonitorOutput): Promise<number> {
  if (options.positional.length !== 3) throw new UsageError('witness-key needs a name and a file to write');
  const [, name, file] = options.positional as [string, string, string];
  if (!isKeyName(name)) throw new UsageError(`not a usable witness name (no spaces or plus signs): ${name}`);
  const { privateKey } = generateKeyPairSync('ed25519');
  try {
    await writeFile(file, privateKey.export({ format: 'pem', type: 'pkcs8' }), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    throw new UsageError(`cannot write ${file}: ${(error as Error).message}`);
  }
  output.err(
    `wrote the witness key to ${file}; give the register's operator this verifier key (LOG_WITNESS_KEYS):`,
  );
  output.out(witnessVerifierKey(name, rawPublicKey(privateKey)));
  return 0;
}

/** The audit event in a proof's extra line, as far as the check needs it. */
interface IssueEvent {
  action: string;
  occurredAt: string;
  data: { number: string; pdfSha256: string };
}

async function readGiven(file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as Error).message}`);
  }
}

async function runCheckProof(options: Options, output: MonitorOutput): Promise<number> {
  if (options.positional.length !== 3) throw new UsageError('check-proof needs the PDF and the proof file');
  const [, pdfFile, proofFile] = options.positional as [string, string, string];
  const vkey = await givenKey(options);
  if (vkey === undefined)
    throw new UsageError('check-proof needs the log key: --key <vkey> or --key-file <file>');
  const pdf = await readGiven(pdfFile);
  const proofText = (await readGiven(proofFile)).toString('utf8');
  let label = proofFile;
  try {
    const proof = parseProof(proofText);
    const { text, timestamp: signedAt } = openCheckpointNote(proof.checkpoint, vkey);
    const checkpoint = parseCheckpointOrFail(text);
    if (proof.extra === undefined) throw new LogFailure('the proof has no extra line with the issue event');
    try {
      verifyInclusion(proof.index, checkpoint.size, leafHash(proof.extra), proof.proof, checkpoint.root);
    } catch (error) {
      if (!(error instanceof ProofError)) throw error;
      throw new LogFailure(`the issue event is not in the signed log: ${error.message}`);
    }
    const event = issueEvent(proof.extra);
    label = `attestation ${event.data.number}`;
    const sha256 = createHash('sha256').update(pdf).digest('hex');
    if (sha256 !== event.data.pdfSha256.toLowerCase()) {
      throw new LogFailure(
        `the PDF is not this attestation: its SHA-256 ${sha256} is not ${event.data.pdfSha256}`,
      );
    }
    output.out(
      `OK attestation ${event.data.number} issued ${event.occurredAt}: leaf ${proof.index} of ${checkpoint.origin} at tree size ${checkpoint.size}${signedAt === undefined ? ' (no signed time)' : `, checkpoint signed at ${isoTime(signedAt)}`}`,
    );
    return 0;
  } catch (error) {
    if (!(error instanceof LogFailure)) throw error;
    output.out(`FAIL ${label}: ${error.message}`);
    return 1;
  }
}

function parseProof(text: string): ReturnType<typeof parseTlogProof> {
  try {
    return parseTlogProof(text);
  } catch (error) {
    throw new LogFailure(`the proof file is malformed: ${(error as Error).message}`);
  }
}

function parseCheckpointOrFail(text: string): Checkpoint {
  try {
    return parseCheckpoint(text);
  } catch (error) {
    throw new LogFailure(`the signed checkpoint is malformed: ${(error as Error).message}`);
  }
}

function issueEvent(extra: Buffer): IssueEvent {
  let event: unknown;
  try {
    event = JSON.parse(extra.toString('utf8'));
  } catch {
    throw new LogFailure('the leaf in the proof is not JSON');
  }
  const e = event as Partial<IssueEvent> | null;
  if (
    e === null ||
    typeof e !== 'object' ||
    e.action !== 'attestation.issued' ||
    typeof e.occurredAt !== 'string' ||
    typeof e.data?.number !== 'string' ||
    typeof e.data.pdfSha256 !== 'string'
  ) {
    throw new LogFailure('the leaf in the proof is not the issue of an attestation');
  }
  return e as IssueEvent;
}

/**
 * Runs the monitor with `args` (without node and the script); returns the exit code. `now` is the
 * clock a checkpoint's signed time is judged by (a test sets it; the command uses the machine's).
 */
export async function runMonitor(
  args: readonly string[],
  output: MonitorOutput,
  now: () => Date = () => new Date(),
): Promise<number> {
  try {
    const options = parseArgs(args);
    if (options.positional[0] === 'check-proof') return await runCheckProof(options, output);
    if (options.positional[0] === 'witness-key') return await runWitnessKey(options, output);
    return await runWatch(options, output, now);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof NetworkError) {
      output.err(`network error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}

if (require.main === module) {
  const output: MonitorOutput = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  runMonitor(process.argv.slice(2), output).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `monitor: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 2;
    },
  );
}
