import { randomBytes } from 'node:crypto';
import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';
import { sha256Hex } from '../shared/tokens';

const ISSUER = 'Register VHP';

function totp(secret: string, email: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: ISSUER,
    label: email,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** A new TOTP secret (RFC 6238, 160 bits), base32 as authenticator apps take it. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The otpauth:// URI and its QR code (an SVG data URL) for enrolment. */
export async function totpEnrolment(
  secret: string,
  email: string,
): Promise<{ uri: string; qrDataUrl: string }> {
  const uri = totp(secret, email).toString();
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, qrDataUrl: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}` };
}

const PERIOD_MS = 30_000;

/**
 * The time step of `code` when it is the current code, or the one just before or after (clock
 * drift); undefined otherwise. The caller refuses a step already used (RFC 6238 §5.2).
 */
export function totpStep(secret: string, email: string, code: string, now: Date): number | undefined {
  const token = code.replace(/\s/g, '');
  if (!/^[0-9]{6}$/.test(token)) return undefined;
  const delta = totp(secret, email).validate({ token, window: 1, timestamp: now.getTime() });
  return delta === null ? undefined : Math.floor(now.getTime() / PERIOD_MS) + delta;
}

/** The code an authenticator shows now; used by tests and the demo, never by the login itself. */
export function currentTotp(secret: string, email: string, now: Date): string {
  return totp(secret, email).generate({ timestamp: now.getTime() });
}

/** Ten single-use recovery codes like `k3j9d-p2x7q`. */
export function newRecoveryCodes(): string[] {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 10 }, () => {
    const bytes = randomBytes(10);
    const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
    return `${chars.slice(0, 5)}-${chars.slice(5)}`;
  });
}

/** How recovery codes were hashed before they got an HMAC; still accepted for those rows until used. */
export function legacyRecoveryCodeHash(code: string): string {
  return sha256Hex(code.trim().toLowerCase());
}
