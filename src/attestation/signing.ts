import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { plainAddPlaceholder } from '@signpdf/placeholder-plain';
import { SignPdf } from '@signpdf/signpdf';
import { Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import forge from 'node-forge';
import * as pkijs from 'pkijs';

/** pkijs declares its engine with the DOM's WebCrypto types; Node's implementation is the same API. */
type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type CryptoKey = webcrypto.CryptoKey;

pkijs.setEngine(
  'node',
  new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as EngineCrypto }),
);

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

/** The register's signing key and certificate, read from a PKCS#12 file. */
export interface SigningIdentity {
  certificate: pkijs.Certificate;
  certificateDer: Buffer;
  privateKey: CryptoKey;
  /** The certificate's subject common name, as PDF readers show the signer. */
  signerName: string;
}

const toArrayBuffer = (buffer: Buffer): ArrayBuffer =>
  buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer;

/** Reads the key and certificate from a PKCS#12 file; throws a clear error for a wrong passphrase. */
export async function loadSigningIdentity(p12: Buffer, passphrase: string): Promise<SigningIdentity> {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(p12.toString('binary')), passphrase);
  } catch (error) {
    throw new Error(
      `the signing PKCS#12 file cannot be read with this passphrase: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const keyBag =
    parsed.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag })[
      forge.pki.oids.pkcs8ShroudedKeyBag
    ]?.[0] ?? parsed.getBags({ bagType: forge.pki.oids.keyBag })[forge.pki.oids.keyBag]?.[0];
  const certBag = parsed.getBags({ bagType: forge.pki.oids.certBag })[forge.pki.oids.certBag]?.[0];
  if (!keyBag?.key || !certBag?.cert)
    throw new Error('the signing PKCS#12 file holds no key and certificate');
  const pkcs8 = createPrivateKey(forge.pki.privateKeyToPem(keyBag.key)).export({
    type: 'pkcs8',
    format: 'der',
  });
  const privateKey = await webcrypto.subtle.importKey(
    'pkcs8',
    toArrayBuffer(pkcs8),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const certificateDer = Buffer.from(
    forge.asn1.toDer(forge.pki.certificateToAsn1(certBag.cert)).getBytes(),
    'binary',
  );
  const certificate = pkijs.Certificate.fromBER(toArrayBuffer(certificateDer));
  const signerName = String(
    certBag.cert.subject.getField('CN')?.value ?? 'Register Verantwoorde Hostingproviders',
  );
  return { certificate, certificateDer, privateKey: privateKey as unknown as CryptoKey, signerName };
}

/**
 * A self-signed certificate for development and tests, as PKCS#12, made once under the data folder
 * with a random passphrase kept beside it. Production gives its own file and passphrase.
 */
export function ensureDevelopmentPkcs12(directory: string): { file: string; passphrase: string } {
  const file = path.join(directory, 'signing-development.p12');
  const passphraseFile = path.join(directory, 'signing-development.passphrase');
  if (existsSync(file) && existsSync(passphraseFile)) {
    return { file, passphrase: readFileSync(passphraseFile, 'utf8').trim() };
  }
  mkdirSync(directory, { recursive: true });
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 3072 });
  const key = forge.pki.privateKeyFromPem(privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 5 * 365 * 24 * 3600 * 1000);
  const name = [
    { name: 'commonName', value: 'Register Verantwoorde Hostingproviders (ontwikkeling)' },
    { name: 'organizationName', value: 'Rijksoverheid (ontwikkelcertificaat, niet vertrouwd)' },
    { name: 'countryName', value: 'NL' },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const passphrase = randomBytes(24).toString('base64url');
  const p12 = forge.pkcs12.toPkcs12Asn1(key, [cert], passphrase, {
    algorithm: 'aes256',
    friendlyName: 'register',
  });
  writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'), { mode: 0o600 });
  writeFileSync(passphraseFile, `${passphrase}\n`, { mode: 0o600 });
  return { file, passphrase };
}

/**
 * The signed attribute signing-certificate-v2 (RFC 5035): the SHA-256 of the signer's certificate
 * with its issuer and serial number, binding the signature to that certificate (PAdES B-B).
 */
function signingCertificateV2(identity: SigningIdentity): asn1js.Sequence {
  const certHash = createHash('sha256').update(identity.certificateDer).digest();
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [
          // GeneralName directoryName [4]
          new asn1js.Constructed({
            idBlock: { tagClass: 3, tagNumber: 4 },
            value: [identity.certificate.issuer.toSchema()],
          }),
        ],
      }),
      identity.certificate.serialNumber,
    ],
  });
  // ESSCertIDv2 with the default hash algorithm (SHA-256) left out, as DER requires.
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(certHash) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

/**
 * A detached CMS signature in the PAdES baseline B-B form: signed attributes content-type,
 * message-digest and signing-certificate-v2, and no signing-time (the PDF's /M carries the time).
 */
export async function cadesDetachedSignature(content: Buffer, identity: SigningIdentity): Promise<Buffer> {
  const digest = createHash('sha256').update(content).digest();
  const signedData = new pkijs.SignedData({
    version: 1,
    encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.data }),
    signerInfos: [
      new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({
          issuer: identity.certificate.issuer,
          serialNumber: identity.certificate.serialNumber,
        }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new pkijs.Attribute({
              type: OID.contentType,
              values: [new asn1js.ObjectIdentifier({ value: OID.data })],
            }),
            new pkijs.Attribute({
              type: OID.messageDigest,
              values: [new asn1js.OctetString({ valueHex: toArrayBuffer(digest) })],
            }),
            new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(identity)] }),
          ],
        }),
      }),
    ],
    certificates: [identity.certificate],
  });
  await signedData.sign(identity.privateKey, 0, 'SHA-256');
  const contentInfo = new pkijs.ContentInfo({
    contentType: OID.signedData,
    content: signedData.toSchema(true),
  });
  return Buffer.from(contentInfo.toSchema().toBER(false));
}

class CadesSigner extends Signer {
  constructor(private readonly identity: SigningIdentity) {
    super();
  }

  override async sign(pdfBuffer: Buffer): Promise<Buffer> {
    return cadesDetachedSignature(pdfBuffer, this.identity);
  }
}

/** Room for the CMS signature in the PDF: a 3072-bit RSA signature and a certificate fit with margin. */
const SIGNATURE_LENGTH = 8192;

/** Signs a finished PDF: adds the signature field (ETSI.CAdES.detached) and fills it in. */
export async function signPdf(pdf: Buffer, identity: SigningIdentity, signedAt: Date): Promise<Buffer> {
  const withPlaceholder = plainAddPlaceholder({
    pdfBuffer: pdf,
    reason: 'Verklaring verantwoorde hostingprovider / Attestation of a responsible hosting provider',
    contactInfo: 'register@hostingproviders.example',
    name: identity.signerName,
    location: 'Nederland',
    signatureLength: SIGNATURE_LENGTH,
    subFilter: SUBFILTER_ETSI_CADES_DETACHED,
  });
  return Buffer.from(
    await new SignPdf().sign(pointStartXrefAtXref(withPlaceholder), new CadesSigner(identity), signedAt),
  );
}

/**
 * The placeholder library's incremental update points `startxref` one byte early, at the line
 * break before `xref`; readers cope, but qpdf --check reports it. Point it at `xref` itself before
 * signing (the signature covers these bytes, so it cannot be done afterwards).
 */
export function pointStartXrefAtXref(pdf: Buffer): Buffer {
  const at = pdf.lastIndexOf('startxref');
  const match = /^startxref\s+(\d+)/.exec(pdf.subarray(at, at + 40).toString('latin1'));
  if (!match) return pdf;
  const offset = Number(match[1]);
  if (pdf.subarray(offset, offset + 4).toString('latin1') === 'xref') return pdf;
  if (pdf.subarray(offset + 1, offset + 5).toString('latin1') !== 'xref') return pdf;
  return Buffer.concat([pdf.subarray(0, at), Buffer.from(`startxref\n${offset + 1}\n%%EOF`, 'latin1')]);
}

export type Keyring = () => Promise<SigningIdentity>;

/**
 * The register's signing identity, read once on first use: the configured PKCS#12 file, or
 * outside production the development certificate under the data folder.
 */
export function signingKeyring(config: {
  signingP12File: string | undefined;
  signingP12Passphrase: string | undefined;
  dataDir: string;
}): Keyring {
  let identity: Promise<SigningIdentity> | undefined;
  return () => {
    identity ??= (async () => {
      const { file, passphrase } = config.signingP12File
        ? { file: config.signingP12File, passphrase: config.signingP12Passphrase ?? '' }
        : ensureDevelopmentPkcs12(config.dataDir);
      return loadSigningIdentity(readFileSync(file), passphrase);
    })();
    return identity;
  };
}
