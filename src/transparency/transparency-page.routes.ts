import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { parseWitnessKey } from '../../monitor/lib/cosignature';
import { keyId } from '../../monitor/lib/note';
import type { Config } from '../config';
import { paths } from '../shared/paths';
import { requestTime } from '../web/clock';
import { cosignaturesOf, cosignedNote } from './cosignatures';
import type { LogKey } from './log-key';
import type { SignerMemory } from './signer-memory';
import { logStanding, rememberedServed } from './signer-standing';

/**
 * The page /transparantie: what the log publishes and why, its current size and latest
 * checkpoint (with its cosignatures), its key, its witnesses and which of them cosigned the latest
 * checkpoint, and how to run a monitor, become a witness or check an attestation offline. It warns
 * at the top, and logs, when the checkpoints are behind (`checkpointsBehind`: the signer stopped,
 * or refuses), when the signer's last attempt was refused, and when the signer's memory and the
 * database disagree (the checkpoint it last signed is not in the database): that shows nowhere
 * else until a monitor's day has passed. The latest checkpoint shown is the one served
 * (`servedCheckpoint`): the signer's when the database lacks it.
 */
export function transparencyPageRoutes(
  dataSource: DataSource,
  config: Config,
  key: LogKey,
  memory: SignerMemory,
): Router {
  const router = Router();
  router.get(paths.log, async (req, res) => {
    const standing = await logStanding(
      dataSource.manager,
      memory,
      key.verifierKey,
      requestTime(res),
      config.checkpointIntervalSeconds,
    );
    const { treeSize, latest, behind } = standing;
    const remembered = rememberedServed(standing);
    const cosignatures = latest && !remembered ? await cosignaturesOf(dataSource.manager, [latest.id]) : [];
    if (behind)
      req.log.warn(
        { job: 'log-checkpoint', treeSize, checkpointSize: latest?.treeSize, signedAt: standing.signedAt },
        'the transparency log is behind: its latest checkpoint is older than the signer allows; is the signer refusing? run audit:verify --full',
      );
    if (standing.disagrees)
      req.log.error(
        {
          job: 'log-checkpoint',
          checkpointSize: latest?.treeSize,
          rememberedSize: standing.remembered?.treeSize,
          unreadable: standing.unreadable,
        },
        "the checkpoint signer's memory and the database disagree: the checkpoint it last signed is not in log_checkpoints; run audit:verify --full",
      );
    res.render('transparency/index', {
      title: 'transparency.title',
      treeSize,
      latest: remembered ?? latest,
      latestSignedAt: remembered?.signedAt ?? standing.signedAt,
      behind,
      behindSignedAt: standing.signedAt,
      refusedAt: standing.refusedAt,
      disagrees: standing.disagrees,
      unreadable: standing.unreadable !== undefined,
      databaseLatest: latest,
      latestNote: remembered?.note ?? (latest && cosignedNote(latest.note, cosignatures)),
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
