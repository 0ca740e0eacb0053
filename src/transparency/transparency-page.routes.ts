import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { parseWitnessKey } from '../../monitor/lib/cosignature';
import { keyId } from '../../monitor/lib/note';
import { storedTreeSize } from '../audit/merkle.queries';
import type { Config } from '../config';
import { paths } from '../shared/paths';
import { requestTime } from '../web/clock';
import { checkpointsBehind } from './checkpoint-rules';
import { latestCheckpoint } from './checkpoint.queries';
import { cosignaturesOf, cosignedNote } from './cosignatures';
import { type LogKey, noteSignedAt } from './log-key';

/**
 * The page /transparantie: what the log publishes and why, its current size and latest
 * checkpoint (with its cosignatures), its key, its witnesses and which of them cosigned the latest
 * checkpoint, and how to run a monitor, become a witness or check an attestation offline. When the
 * checkpoints are behind (`checkpointsBehind`: the signer stopped, or refuses) it says so at the
 * top, and logs it: a stopped signer shows nowhere else until a monitor's day has passed.
 */
export function transparencyPageRoutes(dataSource: DataSource, config: Config, key: LogKey): Router {
  const router = Router();
  router.get(paths.log, async (req, res) => {
    const [treeSize, latest] = await Promise.all([
      storedTreeSize(dataSource.manager),
      latestCheckpoint(dataSource.manager),
    ]);
    const cosignatures = latest ? await cosignaturesOf(dataSource.manager, [latest.id]) : [];
    // The time in the signed note when it has one: the row's signed_at is the database's word.
    const signedAt = latest && (noteSignedAt(latest.note, key.verifierKey) ?? latest.signedAt);
    const behind =
      latest !== undefined &&
      signedAt !== undefined &&
      checkpointsBehind(
        { treeSize: latest.treeSize, signedAt },
        treeSize,
        requestTime(res),
        config.checkpointIntervalSeconds,
      );
    if (behind)
      req.log.warn(
        { job: 'log-checkpoint', treeSize, checkpointSize: latest.treeSize, signedAt },
        'the transparency log is behind: its latest checkpoint is older than the signer allows; is the signer refusing? run audit:verify --full',
      );
    res.render('transparency/index', {
      title: 'transparency.title',
      treeSize,
      latest,
      latestSignedAt: signedAt,
      behind,
      latestNote: latest && cosignedNote(latest.note, cosignatures),
      witnesses: config.logWitnessKeys.map((vkey) => {
        const witness = parseWitnessKey(vkey);
        return {
          name: witness.name,
          keyId: witness.keyId.toString('hex'),
          verifierKey: vkey,
          cosignedAt: cosignatures.find((c) => c.witnessName === witness.name)?.cosignedAt,
        };
      }),
      intervalSeconds: config.checkpointIntervalSeconds,
      verifierKey: key.verifierKey,
      timestampKey: key.timestampKey,
      keyId: keyId(key.origin, key.publicKey).toString('hex'),
      prefix: `${config.publicBaseUrl}${paths.log}/`,
      urls: {
        checkpoint: paths.logCheckpoint,
        key: paths.logKey,
        history: paths.logCheckpoints,
        daily: paths.openDataCheckpoints,
      },
      publicBaseUrl: config.publicBaseUrl,
      absoluteKeyUrl: `${config.publicBaseUrl}${paths.logKey}`,
    });
  });
  return router;
}
