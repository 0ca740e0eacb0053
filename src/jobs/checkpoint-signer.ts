import type { DataSource } from 'typeorm';
import type { Clock } from '../shared/clock';
import type { Logger } from '../shared/logger';
import { type LogSigner, signCheckpointIfDue } from '../transparency/checkpoint.service';
import { startPeriodic } from './periodic';

/**
 * Looks every `intervalSeconds` whether a checkpoint of the transparency log is due and signs it
 * (one instance at a time). A refusal (the stored tree or checkpoints disagree with what was signed
 * before) is logged as an error at every tick until someone looks. Answers a function that stops it.
 */
export function startCheckpointSigner(
  dataSource: DataSource,
  signer: LogSigner,
  intervalSeconds: number,
  logger: Logger,
  clock: Clock,
): () => Promise<void> {
  return startPeriodic(
    intervalSeconds,
    async () => {
      const result = await signCheckpointIfDue(dataSource, signer, clock.now(), { intervalSeconds });
      if (result.outcome === 'signed')
        logger.info({ job: 'log-checkpoint', treeSize: result.treeSize }, 'checkpoint signed');
      if (result.outcome === 'refused')
        logger.error(
          { job: 'log-checkpoint', reason: result.reason },
          `no checkpoint signed: ${result.reason}; run audit:verify --full`,
        );
    },
    logger,
    'checkpoint signing failed; it is tried again at the next tick',
  );
}
