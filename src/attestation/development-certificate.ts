// @peculiar/x509 needs the Reflect metadata API loaded before it (its dependency injection asks for it).
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as x509 from '@peculiar/x509';
import { writePkcs12 } from './pkcs12';

/** @peculiar/x509 declares its crypto with the DOM's WebCrypto types; Node's implementation is the same API. */
const crypto = webcrypto as unknown as NonNullable<
  Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[1]
>;
const DAY = 24 * 3600 * 1000;
const RSA = {
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
  modulusLength: 3072,
  publicExponent: new Uint8Array([1, 0, 1]),
};

/**
 * A self-signed certificate for development and tests, as PKCS#12, made once under the data folder
 * with a random passphrase kept beside it, valid from a day before `now` for five years.
 * Production gives its own file and passphrase.
 */
export async function ensureDevelopmentPkcs12(
  directory: string,
  now: Date,
): Promise<{ file: string; passphrase: string }> {
  const file = path.join(directory, 'signing-development.p12');
  const passphraseFile = path.join(directory, 'signing-development.passphrase');
  if (existsSync(file) && existsSync(passphraseFile)) {
    return { file, passphrase: readFileSync(passphraseFile, 'utf8').trim() };
  }
  mkdirSync(directory, { recursive: true });
  const keys = await crypto.subtle.generateKey(RSA, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: `01${randomBytes(15).toString('hex')}`,
      name: [
        { CN: ['Register Verantwoorde Hostingproviders (ontwikkeling)'] },
        { O: ['Rijksoverheid (ontwikkelcertificaat, niet vertrouwd)'] },
        { C: ['NL'] },
      ],
      // The demo register's history (and its attestations, signed when they were issued) goes back
      // 42 months: the development certificate is valid from before that, so no demo signature
      // predates the certificate that made it.
      notBefore: new Date(now.getTime() - 4 * 365 * DAY),
      notAfter: new Date(now.getTime() + 5 * 365 * DAY),
      keys,
      signingAlgorithm: RSA,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.nonRepudiation,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const privateKey = Buffer.from(await crypto.subtle.exportKey('pkcs8', keys.privateKey));
  const passphrase = randomBytes(24).toString('base64url');
  const p12 = await writePkcs12(privateKey, Buffer.from(certificate.rawData), passphrase);
  writeFileSync(file, p12, { mode: 0o600 });
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 });
  return { file, passphrase };
}
