import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** pkijs declares its engine with the DOM's WebCrypto types; Node's implementation is the same API. */
type EngineCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];

// The engine of every pkijs operation in the register: this reader and the CMS signature.
pkijs.setEngine(
  'node',
  new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as EngineCrypto }),
);

const OID = {
  keyBag: '1.2.840.113549.1.12.10.1.1',
  pkcs8ShroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  pbes2: '1.2.840.113549.1.5.13',
  /** pbeWithSHAAnd… (RFC 7292 appendix C): 3DES and RC2, OpenSSL 1.x's default and 3's `-legacy`. */
  legacyPbePrefix: '1.2.840.113549.1.12.1.',
} as const;

/** A PKCS#12 file that cannot be used, with a message that says why and what to do. */
export class Pkcs12Error extends Error {}

/** What a PKCS#12 file holds that signing needs. */
export interface Pkcs12Contents {
  /** The private key as PKCS#8 DER. */
  privateKey: Buffer;
  /** The certificate whose public key belongs to the private key. */
  certificate: pkijs.Certificate;
}

const toArrayBuffer = (bytes: Uint8Array): ArrayBuffer =>
  bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
const utf8 = (text: string) => toArrayBuffer(Buffer.from(text, 'utf8'));

const LEGACY =
  'the signing PKCS#12 file is encrypted with a legacy algorithm (3DES or RC2, as OpenSSL 1.x and `openssl pkcs12 -legacy` make it), which the register does not read. Export it again with OpenSSL 3 (`openssl pkcs12 -export`, whose default is AES-256-CBC with PBKDF2), or convert it: `openssl pkcs12 -legacy -in old.p12 -nodes | openssl pkcs12 -export -out new.p12`';
const WRONG_PASSPHRASE = 'the signing PKCS#12 file cannot be read with this passphrase';

/** Refuses an encryption other than PBES2 (PBKDF2 with AES) before trying it, with a clear message. */
function requirePbes2(algorithm: pkijs.AlgorithmIdentifier): void {
  if (algorithm.algorithmId === OID.pbes2) return;
  if (algorithm.algorithmId.startsWith(OID.legacyPbePrefix)) throw new Pkcs12Error(LEGACY);
  throw new Pkcs12Error(
    `the signing PKCS#12 file is encrypted with an algorithm the register does not read (${algorithm.algorithmId}); export it with \`openssl pkcs12 -export\``,
  );
}

/** Decrypts password-encrypted content (PBES2); a wrong passphrase shows as a failed decryption. */
async function decrypt(
  algorithm: pkijs.AlgorithmIdentifier,
  encrypted: asn1js.OctetString,
  password: ArrayBuffer,
): Promise<ArrayBuffer> {
  requirePbes2(algorithm);
  const data = new pkijs.EncryptedData({
    encryptedContentInfo: new pkijs.EncryptedContentInfo({
      contentType: pkijs.ContentInfo.DATA,
      contentEncryptionAlgorithm: algorithm,
      encryptedContent: encrypted,
    }),
  });
  try {
    return await data.decrypt({ password });
  } catch (error) {
    throw new Pkcs12Error(WRONG_PASSPHRASE, { cause: error });
  }
}

/** The bags of every safe in the file, encrypted safes decrypted. */
async function safeBagsOf(pfx: pkijs.PFX, password: ArrayBuffer): Promise<pkijs.SafeBag[]> {
  const authenticatedSafe = pfx.parsedValue?.authenticatedSafe;
  if (!authenticatedSafe) throw new Pkcs12Error('the signing PKCS#12 file holds no contents');
  const bags: pkijs.SafeBag[] = [];
  for (const content of authenticatedSafe.safeContents) {
    let der: ArrayBuffer;
    if (content.contentType === pkijs.ContentInfo.DATA) {
      der = (content.content as asn1js.OctetString).getValue();
    } else if (content.contentType === pkijs.ContentInfo.ENCRYPTED_DATA) {
      const info = new pkijs.EncryptedData({ schema: content.content }).encryptedContentInfo;
      if (!info.encryptedContent) continue;
      der = await decrypt(info.contentEncryptionAlgorithm, info.encryptedContent, password);
    } else {
      throw new Pkcs12Error(
        'the signing PKCS#12 file is encrypted to a certificate; export it with a passphrase',
      );
    }
    bags.push(...pkijs.SafeContents.fromBER(der).safeBags);
  }
  return bags;
}

/**
 * Reads the private key and its certificate from a PKCS#12 file as `openssl pkcs12 -export` makes
 * it (OpenSSL 3: PBES2 with PBKDF2 and AES-256-CBC, HMAC-SHA-256 integrity). Throws a Pkcs12Error
 * that says what is wrong for a wrong passphrase, a legacy (3DES/RC2) file or a file without key.
 */
export async function readPkcs12(file: Buffer, passphrase: string): Promise<Pkcs12Contents> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(toArrayBuffer(file));
  } catch (error) {
    throw new Pkcs12Error('the signing file is not a PKCS#12 file', { cause: error });
  }
  const password = utf8(passphrase);
  try {
    await pfx.parseInternalValues({ password, checkIntegrity: pfx.macData !== undefined });
  } catch (error) {
    throw new Pkcs12Error(`${WRONG_PASSPHRASE} (its integrity check fails)`, { cause: error });
  }
  const bags = await safeBagsOf(pfx, password);

  let privateKey: Buffer | undefined;
  const certificates: pkijs.Certificate[] = [];
  for (const bag of bags) {
    if (bag.bagId === OID.pkcs8ShroudedKeyBag && !privateKey) {
      const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
      privateKey = Buffer.from(await decrypt(shrouded.encryptionAlgorithm, shrouded.encryptedData, password));
    } else if (bag.bagId === OID.keyBag && !privateKey) {
      privateKey = Buffer.from((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false));
    } else if (bag.bagId === OID.certBag) {
      const certBag = bag.bagValue as pkijs.CertBag;
      if (certBag.certId === OID.x509Certificate && certBag.parsedValue instanceof pkijs.Certificate)
        certificates.push(certBag.parsedValue);
    }
  }
  if (!privateKey) throw new Pkcs12Error('the signing PKCS#12 file holds no private key');
  let publicKey: Buffer;
  try {
    publicKey = createPublicKey(createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' })).export({
      type: 'spki',
      format: 'der',
    });
  } catch (error) {
    throw new Pkcs12Error(WRONG_PASSPHRASE, { cause: error });
  }
  // The file may carry the chain too: the signer is the certificate of this key.
  const certificate = certificates.find((c) =>
    publicKey.equals(Buffer.from(c.subjectPublicKeyInfo.toSchema().toBER(false))),
  );
  if (!certificate)
    throw new Pkcs12Error('the signing PKCS#12 file holds no certificate for its private key');
  return { privateKey, certificate };
}

/**
 * A PKCS#12 file of a private key (PKCS#8 DER) and its certificate, as OpenSSL 3 makes one: the key
 * shrouded with PBES2 (PBKDF2-HMAC-SHA-256, AES-256-CBC), HMAC-SHA-256 integrity.
 */
export async function writePkcs12(
  privateKey: Buffer,
  certificateDer: Buffer,
  passphrase: string,
): Promise<Buffer> {
  const password = utf8(passphrase);
  const iterationCount = 2048;
  const shrouded = new pkijs.PKCS8ShroudedKeyBag({
    parsedValue: pkijs.PrivateKeyInfo.fromBER(toArrayBuffer(privateKey)),
  });
  await shrouded.makeInternalValues({
    password,
    // pkijs draws the IV (and the PBKDF2 salt) itself; the type asks for one all the same.
    contentEncryptionAlgorithm: { name: 'AES-CBC', length: 256 } as pkijs.ContentEncryptionAesCbcParams,
    hmacHashAlgorithm: 'SHA-256',
    iterationCount,
  });
  const safe = (bag: pkijs.SafeBag) =>
    new pkijs.ContentInfo({
      contentType: pkijs.ContentInfo.DATA,
      content: new asn1js.OctetString({
        valueHex: new pkijs.SafeContents({ safeBags: [bag] }).toSchema().toBER(false),
      }),
    });
  const authenticatedSafe = new pkijs.AuthenticatedSafe({
    safeContents: [
      safe(
        new pkijs.SafeBag({
          bagId: OID.certBag,
          bagValue: new pkijs.CertBag({
            certId: OID.x509Certificate,
            certValue: new asn1js.OctetString({ valueHex: toArrayBuffer(certificateDer) }),
          }),
        }),
      ),
      safe(new pkijs.SafeBag({ bagId: OID.pkcs8ShroudedKeyBag, bagValue: shrouded })),
    ],
  });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({
    password,
    iterations: iterationCount,
    pbkdf2HashAlgorithm: 'SHA-256',
    hmacHashAlgorithm: 'SHA-256',
  });
  return Buffer.from(pfx.toSchema().toBER(false));
}
