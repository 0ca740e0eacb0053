// Issuing attestations in a benchmark as the register does for each request (render + sign + store,
// with its audit event and that event's leaf): used by bench:attestations and bench:transparency.
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** Seeds providers and answers the ids of `count` verantwoord ones (throws when there are fewer). */
export async function verantwoordProviders(dist, dataSource, count) {
  const { seedBulk } = require(path.join(dist, 'seed', 'bulk.js'));
  await seedBulk(dataSource, count * 4, new Date());
  const ids = (
    await dataSource.query(`SELECT provider_id FROM provider_status WHERE status = 'verantwoord' LIMIT $1`, [
      count,
    ])
  ).map((r) => r.provider_id);
  if (ids.length < count) throw new Error(`only ${ids.length} verantwoord providers seeded`);
  return ids;
}

/** Answers `issue(providerId)`: one attestation issued, with a signing key of the benchmarks' own. */
export function attestationIssuer(dist, dataSource) {
  const { issueAttestation } = require(path.join(dist, 'attestation', 'attestation.service.js'));
  const { signingKeyring } = require(path.join(dist, 'attestation', 'signing.js'));
  const keyring = signingKeyring(
    { dataDir: path.join(os.tmpdir(), 'vhp-bench-signing') },
    { now: () => new Date() },
  );
  return (providerId) =>
    issueAttestation(
      dataSource,
      {
        providerId,
        actor: 'bench',
        publicBaseUrl: 'https://register.example',
        keyring,
        issuer: {
          organisation: 'Register Verantwoorde Hostingproviders',
          contact: 'register@register.example',
        },
      },
      new Date(),
    );
}

/**
 * Issues for `warmUp` (the key, the fonts, the JIT) untimed, then for `timed` one at a time. Answers
 * the rate per second and the register's CPU time per attestation in ms: on a shared machine the
 * wall-clock rate follows the load, the CPU time of the register's process much less (PostgreSQL's
 * share is not in it).
 */
export async function issueOneAtATime(issue, warmUp, timed) {
  for (const id of warmUp) await issue(id);
  const started = performance.now();
  const cpu = process.cpuUsage();
  for (const id of timed) await issue(id);
  const rate = timed.length / ((performance.now() - started) / 1000);
  const { user, system } = process.cpuUsage(cpu);
  return { rate, cpuMs: (user + system) / 1000 / timed.length };
}
