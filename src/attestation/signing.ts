import { createHash, webcrypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pdfkitAddPlaceholder } from '@signpdf/placeholder-pdfkit';
import { SignPdf } from '@signpdf/signpdf';
import { ANNOTATION_FLAGS, Signer, SUBFILTER_ETSI_CADES_DETACHED } from '@signpdf/utils';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { Clock } from '../shared/clock';
import { ensureDevelopmentPkcs12 } from './development-certificate';
import { readPkcs12 } from './pkcs12';
import { SettingError } from '../shared/errors';

type CryptoKey = webcrypto.CryptoKey;

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  commonName: '2.5.4.3',
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

/**
 * Reads the key and certificate from a PKCS#12 file; throws a clear error for a wrong passphrase
 * and for a legacy (3DES/RC2) file.
 */
export async function loadSigningIdentity(p12: Buffer, passphrase: string): Promise<SigningIdentity> {
  const { privateKey, certificate } = await readPkcs12(p12, passphrase);
  const key = await webcrypto.subtle.importKey(
    'pkcs8',
    toArrayBuffer(privateKey),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['sign'],
  );
  const commonName = certificate.subject.typesAndValues.find((t) => t.type === OID.commonName);
  return {
    certificate,
    certificateDer: Buffer.from(certificate.toSchema().toBER(false)),
    privateKey: key,
    signerName: commonName
      ? String(commonName.value.valueBlock.value)
      : 'Register Verantwoorde Hostingproviders',
  };
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

/**
 * The document as the placeholder library gets it: the library makes its objects with `ref`, and
 * its signature widget lacks the Print flag that PDF/A asks of every annotation (the placeholder
 * of @signpdf/placeholder-plain set it), so `ref` adds it to a widget. All else is the document.
 */
function printableWidgets(doc: PDFKit.PDFDocument): PDFKit.PDFDocument {
  return new Proxy(doc, {
    get(target, property) {
      if (property === 'ref')
        return (data: Record<string, unknown>) =>
          target.ref(data.Subtype === 'Widget' ? { ...data, F: ANNOTATION_FLAGS.PRINT } : data);
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * The signature field (ETSI.CAdES.detached) with room for the signature, added to the document
 * while it is rendered (before it ends), so that the PDF is written once with no incremental update.
 */
export const signatureField =
  (identity: SigningIdentity, signedAt: Date, contactInfo = 'register@hostingproviders.example') =>
  (doc: PDFKit.PDFDocument): void => {
    pdfkitAddPlaceholder({
      pdf: printableWidgets(doc),
      // The typings ask for the bytes, which the function never reads: the document is still open.
      pdfBuffer: Buffer.alloc(0),
      reason: 'Verklaring verantwoorde hostingprovider / Attestation of a responsible hosting provider',
      contactInfo,
      name: identity.signerName,
      location: 'Nederland',
      signingTime: signedAt,
      signatureLength: SIGNATURE_LENGTH,
      subFilter: SUBFILTER_ETSI_CADES_DETACHED,
    });
  };

/** Signs a PDF rendered with the `signatureField`: fills in the signature. */
export async function signPdf(pdf: Buffer, identity: SigningIdentity): Promise<Buffer> {
  return Buffer.from(await new SignPdf().sign(pdf, new CadesSigner(identity)));
}

export type Keyring = () => Promise<SigningIdentity>;

/**
 * The register's signing identity, read once on first use: the configured PKCS#12 file, or
 * outside production the development certificate under the data folder.
 */
export function signingKeyring(
  config: {
    signingP12File: string | undefined;
    signingP12Passphrase: string | undefined;
    dataDir: string;
  },
  clock: Clock,
): Keyring {
  let identity: Promise<SigningIdentity> | undefined;
  return () => {
    identity ??= (async () => {
      if (!config.signingP12File) {
        const { file, passphrase } = await ensureDevelopmentPkcs12(config.dataDir, clock.now());
        return loadSigningIdentity(readFileSync(file), passphrase);
      }
      const file = config.signingP12File;
      let p12: Buffer;
      try {
        p12 = readFileSync(file);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new SettingError(
          `SIGNING_P12_FILE: ${code === 'ENOENT' ? 'there is no file' : `cannot read the file (${code ?? String(error)})`} at ${file}`,
          { cause: error },
        );
      }
      try {
        return await loadSigningIdentity(p12, config.signingP12Passphrase ?? '');
      } catch (error) {
        throw new SettingError(
          `SIGNING_P12_FILE (${file}) with SIGNING_P12_PASSPHRASE: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
    })();
    return identity;
  };
}

/**
 * Where the signed part of a PDF ends, for each signature in it: a signature's /ByteRange
 * `[0 a b c]` covers bytes 0..a and b..b+c, so everything the signer signed ends at b+c. Bytes
 * after that end were added later (an incremental update, or anything appended) and are not
 * covered by that signature. Read in a piece of the PDF as latin1 text (one character a byte), as
 * an upload looks for them while it streams.
 */
export function byteRangeEnds(text: string): number[] {
  const ends: number[] = [];
  for (const match of text.matchAll(/\/ByteRange\s*\[\s*0\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)) {
    const [, a, b, c] = match.map(Number) as [number, number, number, number];
    if (a < b) ends.push(b + c);
  }
  return ends;
}
