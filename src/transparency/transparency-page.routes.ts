import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { parseWitnessKey } from '../../monitor/lib/cosignature';
import { keyId } from '../../monitor/lib/note';
import { storedTreeSize } from '../audit/merkle.queries';
import type { Config } from '../config';
import { paths } from '../shared/paths';
import { latestCheckpoint } from './checkpoint.queries';
import { cosignaturesOf, cosignedNote } from './cosignatures';
import type { LogKey } from './log-key';

/**
 * The page /transparantie: what the log publishes and why, its current size and latest
 * checkpoint (with its cosignatures), its key, its witnesses and which of them cosigned the latest
 * checkpoint, and how to run a monitor, become a witness or check an attestation offline.
 */
export function transparencyPageRoutes(dataSource: DataSource, config: Config, key: LogKey): Router {
  const router = Router();
  router.get(paths.log, async (_req, res) => {
    const [treeSize, latest] = await Promise.all([
      storedTreeSize(dataSource.manager),
      latestCheckpoint(dataSource.manager),
    ]);
    const cosignatures = latest ? await cosignaturesOf(dataSource.manager, [latest.id]) : [];
    res.render('transparency/index', {
      title: 'transparency.title',
      treeSize,
      latest,
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
