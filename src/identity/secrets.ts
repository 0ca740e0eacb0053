import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import { clearTotpSecrets, replaceTotpSecret } from './account.queries';

/**
 * Encrypts secrets kept in the database (TOTP seeds) and keys the HMAC of recovery codes, with a
 * key that lives outside the database: a copy of the database alone gives neither.
 */
export interface SecretBox {
  encrypt(plain: string): string;
  /** The clear text; a value stored before encryption existed (no version prefix) is answered as is. */
  decrypt(stored: string): string;
  isEncrypted(stored: string): boolean;
  /** HMAC-SHA256 (hex) of a recovery code, with a key derived for this purpose only. */
  recoveryCodeMac(code: string): string;
}

const VERSION = 'v1';

/** The configured key, or (outside production) one made once under the data folder, readable by its owner only. */
export function secretsKeyFor(config: Config): Buffer {
  if (config.secretsKey) return config.secretsKey;
  const file = path.join(config.dataDir, 'secrets-development.key');
  if (existsSync(file)) return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(file, `${key.toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process made it first: use that one.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return secretsKeyFor(config);
    throw error;
  }
  return key;
}

/** A key for one use only, derived from the secrets key (HKDF-SHA256 with `info` naming the use). */
export function derivedKey(key: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), info, 32));
}

/** Encrypts and decrypts text with AES-256-GCM as `v1:iv:tag:ciphertext` (base64url parts). */
export interface Sealer {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function sealer(encryptionKey: Buffer): Sealer {
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', encryptionKey, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return [VERSION, iv, cipher.getAuthTag(), ciphertext]
        .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
        .join(':');
    },
    open(sealed) {
      const [, iv, tag, ciphertext] = sealed.split(':').map((p) => Buffer.from(p, 'base64url'));
      if (!iv || !tag || !ciphertext) throw new Error('a sealed value has fewer than four parts');
      const decipher = createDecipheriv('aes-256-gcm', encryptionKey, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    },
  };
}

export function secretBox(key: Buffer): SecretBox {
  // Separate keys per use, so the encryption key never doubles as a MAC key.
  const box = sealer(derivedKey(key, 'vhp totp seeds v1'));
  const macKey = derivedKey(key, 'vhp recovery codes v1');
  return {
    encrypt: (plain) => box.seal(plain),
    decrypt(stored) {
      return this.isEncrypted(stored) ? box.open(stored) : stored;
    },
    isEncrypted: (stored) => stored.startsWith(`${VERSION}:`),
    recoveryCodeMac: (code) => createHmac('sha256', macKey).update(code.trim().toLowerCase()).digest('hex'),
  };
}

/**
 * Encrypts the TOTP seeds still stored in clear (from before encryption); run at start after the
 * migrations. Idempotent: encrypted rows are left alone, and a row changed meanwhile is skipped.
 */
export async function encryptClearTotpSecrets(dataSource: DataSource, box: SecretBox): Promise<number> {
  const rows = await clearTotpSecrets(dataSource);
  let done = 0;
  for (const row of rows) {
    if (await replaceTotpSecret(dataSource, row.id, row.totp_secret, box.encrypt(row.totp_secret))) done++;
  }
  return done;
}
