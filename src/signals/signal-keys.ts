import { derivedKey, sealer } from '../identity/secrets';
import type { ResellerIdentity } from './reseller-identifiers';

/** What a signal keeps sealed: everything that identifies the reseller, and the supplier's free text. */
export interface SignalContent {
  identity: ResellerIdentity;
  text: string;
}

/**
 * The keys of the signals (issue 19), derived from the secrets key that lives outside the database:
 * one seals a signal's content (AES-256-GCM), the other keys the HMACs its identifiers and the
 * declared resellers' are matched on. A copy of the database gives neither content nor identifiers.
 */
export interface SignalKeys {
  seal(content: SignalContent): string;
  open(sealed: string): SignalContent;
  /** The HMAC key of `identifierMac`. */
  macKey: Buffer;
}

export function signalKeys(secretsKey: Buffer): SignalKeys {
  const box = sealer(derivedKey(secretsKey, 'vhp signals v1'));
  return {
    seal: (content) => box.seal(JSON.stringify(content)),
    open: (sealed) => JSON.parse(box.open(sealed)) as SignalContent,
    macKey: derivedKey(secretsKey, 'vhp signal identifiers v1'),
  };
}
