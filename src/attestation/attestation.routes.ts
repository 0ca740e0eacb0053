import { actorOf } from '../audit/actor';
import { Router } from 'express';
import type { DataSource } from 'typeorm';
import { requireRole, withCsrfToken } from '../web/auth';
import type { Config } from '../config';
import { Provider } from '../provider/provider.entity';
import { isStaff } from '../identity/user.entity';
import { setFormContext } from '../web/error-handler';
import { ForbiddenError, NotFoundError, ValidationError } from '../shared/errors';
import { paths } from '../shared/paths';
import { readUpload } from '../web/upload';
import { looksLikePdf } from '../shared/pdf';
import { attestationView, logProofView } from './attestation.view';
import { attestationProof, pendingWait, tlogProofFile } from '../transparency/attestation-proof';
import type { LogSigner } from '../transparency/checkpoint.service';
import {
  attestationOfUpload,
  attestationPdf,
  isAttestationNumber,
  issueAttestation,
  issuerOf,
  verifyAttestation,
} from './attestation.service';
import { byteRangeEnds, type Keyring } from './signing';
import { requestTime } from '../web/clock';
import { readSettings } from '../settings/settings.service';

/** An attestation is about 50 kB: 2 MB is plenty. */
export const MAX_VERIFICATION_BYTES = 2 * 1024 * 1024;

/**
 * Nothing of the file is kept but its hash, its first bytes and the hashes of its signed parts
 * (taken as it streams): a PDF that differs from an issued one only by bytes after its signed end
 * is recognised by its signed part, and forty uploads at once cost no more memory than one.
 */
const VERIFICATION_UPLOAD = {
  field: 'pdf',
  maxBytes: MAX_VERIFICATION_BYTES,
  tooLargeKey: 'attestation.fileTooLarge',
  keep: 'head',
  prefixEnds: byteRangeEnds,
} as const;

/** Issuing (provider users for their own organisation, reviewers for any) and public verification. */
export function attestationRoutes(
  dataSource: DataSource,
  config: Config,
  keyring: Keyring,
  signer: LogSigner,
): Router {
  const router = Router();
  const issue = async (providerId: string, actor: string, now: Date) => {
    const settings = await readSettings(dataSource.manager, config);
    return issueAttestation(
      dataSource,
      { providerId, actor, publicBaseUrl: config.publicBaseUrl, keyring, issuer: issuerOf(settings) },
      now,
    );
  };

  router.post(paths.attestations, ...requireRole(config, 'provider'), async (req, res) => {
    const user = req.user!;
    const attestation = await issue(user.providerId!, actorOf(user), requestTime(res));
    res.redirect(303, `${paths.account}?verklaring=${attestation.number}#verklaringen`);
  });

  router.post(paths.reviewAttestations(), ...requireRole(config, 'reviewer'), async (req, res) => {
    const kvkNumber = String(req.params.kvkNumber);
    const provider = await dataSource.getRepository(Provider).findOneBy({ kvkNumber });
    if (!provider) throw new NotFoundError(`no provider ${kvkNumber}`);
    // Never for the reviewer's own organisation, as with every other decision.
    if (req.user!.providerId === provider.id) throw new ForbiddenError('review.ownOrganisation');
    await issue(provider.id, actorOf(req.user!), requestTime(res));
    res.redirect(303, `${paths.reviewProvider(kvkNumber)}#verklaringen`);
  });

  router.get(paths.verification, withCsrfToken, (req, res) => {
    // The number form is a GET: a shareable URL, the same one the QR code holds.
    const number = typeof req.query.nummer === 'string' ? req.query.nummer.trim().toUpperCase() : '';
    if (number) {
      if (isAttestationNumber(number)) return res.redirect(303, paths.verificationOf(number));
      return res.status(400).render('attestation/verification', {
        title: 'attestation.verifyTitle',
        values: { nummer: number },
        errors: { nummer: 'attestation.numberFormat' },
        errorList: [{ field: 'nummer', key: 'attestation.numberFormat', anchor: 'field-nummer' }],
      });
    }
    res.render('attestation/verification', { title: 'attestation.verifyTitle', values: {} });
  });

  router.post(paths.verification, withCsrfToken, async (req, res) => {
    setFormContext(res, {
      view: 'attestation/verification',
      model: { title: 'attestation.verifyTitle' },
      values: {},
    });
    const file = await readUpload(req, VERIFICATION_UPLOAD);
    if (!file || file.size === 0) throw new ValidationError({ pdf: ['validation.fileRequired'] });
    if (!looksLikePdf(file.head)) throw new ValidationError({ pdf: ['validation.notPdf'] });
    const found = await attestationOfUpload(dataSource, file);
    // An attestation of an organisation whose identity nobody confirmed answers as one never issued.
    const answer = found
      ? await verifyAttestation(dataSource, found.attestation.number, requestTime(res)).catch(
          (error: unknown) => {
            if (error instanceof NotFoundError) return undefined;
            throw error;
          },
        )
      : undefined;
    const match = answer ? found : null;
    res.render('attestation/verification', {
      title: 'attestation.verifyTitle',
      values: {},
      upload: {
        filename: file.originalName,
        outcome: !match ? 'not-issued' : match.appendedBytes > 0 ? 'appended' : 'exact',
        matched: match?.appendedBytes === 0,
        appended: match ? match.appendedBytes > 0 : false,
        appendedBytes: match?.appendedBytes,
        answer: answer && attestationView(answer),
      },
    });
  });

  /**
   * A number typed or copied in lower case (vhp-2026-000006) is the same attestation: the address is
   * sent on to its canonical form, so that the page and its links show one number.
   */
  const canonicalNumber = (number: string, path: (n: string) => string): string | undefined => {
    const upper = number.trim().toUpperCase();
    return upper !== number && isAttestationNumber(upper) ? path(upper) : undefined;
  };

  router.get(paths.verificationOf(), async (req, res) => {
    const number = String(req.params.nummer);
    const canonical = canonicalNumber(number, paths.verificationOf);
    if (canonical) return res.redirect(301, canonical);
    const answer = await verifyAttestation(dataSource, number, requestTime(res)).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    const proof = answer ? await attestationProof(dataSource.manager, number) : undefined;
    res.status(answer ? 200 : 404).render('attestation/attestation', {
      title: 'attestation.pageTitle',
      number,
      answer: answer && attestationView(answer),
      logProof: logProofView(
        number,
        proof,
        proof?.state === 'pending'
          ? await pendingWait(dataSource.manager, signer, requestTime(res), config.checkpointIntervalSeconds)
          : undefined,
      ),
    });
  });

  /**
   * The attestation's proof of inclusion (C2SP tlog-proof), to check offline with the PDF and the
   * log's key. Not yet there for an attestation no checkpoint covers: a 404 that says when to return.
   */
  router.get(paths.verificationProof(), async (req, res) => {
    const number = String(req.params.nummer);
    const canonical = canonicalNumber(number, paths.verificationProof);
    if (canonical) return res.redirect(301, canonical);
    const proof = isAttestationNumber(number)
      ? await attestationProof(dataSource.manager, number)
      : undefined;
    if (!proof) throw new NotFoundError(`no attestation ${number}`);
    if (proof.state === 'missing') {
      res.status(404).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      return res.send(
        `De afgifte van verklaring ${number} staat niet in het transparantielog: er is geen bewijs. Vertrouw haar niet zonder navraag bij het register.\n` +
          `The issue of attestation ${number} is not in the transparency log: there is no proof. Do not rely on it without asking the register.\n`,
      );
    }
    if (proof.state === 'pending') {
      const seconds = await pendingWait(
        dataSource.manager,
        signer,
        requestTime(res),
        config.checkpointIntervalSeconds,
      );
      res.status(404).type('text/plain; charset=utf-8').setHeader('Cache-Control', 'no-store');
      if (seconds === undefined)
        return res.send(
          `Verklaring ${number} staat nog in geen ondertekend checkpoint: het transparantielog loopt achter. Het bewijs volgt zodra het register weer ondertekent.\n` +
            `Attestation ${number} is in no signed checkpoint yet: the transparency log is behind. The proof will follow once the register signs again.\n`,
        );
      res.setHeader('Retry-After', String(seconds));
      return res.send(
        `Verklaring ${number} wordt binnen ongeveer ${seconds} seconden opgenomen in het transparantielog; het bewijs is er daarna.\n` +
          `Attestation ${number} will be included in the transparency log within about ${seconds} seconds; the proof is available after that.\n`,
      );
    }
    res
      .type('text/plain; charset=utf-8')
      .setHeader('Cache-Control', 'no-cache')
      .setHeader('Content-Disposition', `attachment; filename="verklaring-${number}.tlog-proof"`)
      .send(tlogProofFile(proof));
  });

  router.get(paths.verificationPdf(), async (req, res) => {
    const number = String(req.params.nummer);
    const canonical = canonicalNumber(number, paths.verificationPdf);
    if (canonical) return res.redirect(301, canonical);
    const viewer = req.user;
    const pdf = await attestationPdf(
      dataSource,
      number,
      viewer && isStaff(viewer) ? { actor: actorOf(viewer), now: requestTime(res) } : undefined,
    );
    res
      .type('application/pdf')
      .setHeader('Content-Disposition', `attachment; filename="${number}.pdf"`)
      .send(pdf);
  });

  return router;
}
