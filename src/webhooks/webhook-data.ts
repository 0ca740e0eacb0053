import { translate } from '../shared/i18n';
import { paths } from '../shared/paths';
import { reasonInLanguage } from '../shared/status-reasons';
import type { WatchEventKind } from '../watch/watch-events';

/**
 * The `data` of a webhook event, in the API's own vocabulary (api.representation.ts and the
 * OpenAPI schemas WebhookStatusGewijzigd, WebhookVerklaringGewijzigd and
 * WebhookVermeldingEindigtVoorContract in api.webhook-schemas.ts): Dutch names, a status as
 * `{code, verantwoord, omschrijving}` with the codes of StatusCode, an attestation's status in the
 * codes of VerklaringStatus, instants in ISO 8601 UTC, absolute links. Texts are Dutch: a delivery
 * has no request whose language it could follow. The watch event's stored `data` (which the mail
 * reads) stays as the detection writes it; this is its public face.
 */

/** What the detection stores in `watch_events.data` (src/status/watch-detection.ts, src/watch/watch-notices.ts). */
interface StoredData {
  from?: string | null;
  to?: string;
  reasonText?: string | null;
  since?: string | null;
  validUntil?: string | null;
  attestationNumber?: string;
  contractEnd?: string | null;
  legalName?: string;
}

/** What the payload builder reads of a watch event. */
export interface WatchEventForData {
  kind: WatchEventKind;
  kvkNumber: string;
  occurredAt: Date;
  data: Record<string, unknown>;
}

/** The status word a watcher was told before a provider's first snapshot: the API knows no such status. */
const NOT_REGISTERED = 'not_registered';

const statusInWords = (code: string) => ({
  code,
  verantwoord: code === 'verantwoord',
  omschrijving: translate('nl', `status.label.${code}`),
});

/** An instant as the API writes it (ISO 8601, UTC), or null. */
const instant = (value: string | null | undefined): string | null =>
  value ? new Date(value).toISOString() : null;

/** The `data` of the CloudEvent for `event`, with links under `publicBaseUrl`. */
export function webhookData(event: WatchEventForData, publicBaseUrl: string): Record<string, unknown> {
  const stored = event.data as StoredData;
  const api = `${publicBaseUrl}/api/v1`;
  const provider = `${api}/hostingproviders/${event.kvkNumber}`;
  const links = {
    hostingprovider: { href: provider },
    statuswijzigingen: { href: `${provider}/statuswijzigingen` },
    webpagina: { href: `${publicBaseUrl}/hostingproviders/${event.kvkNumber}` },
  };
  const common = {
    kvkNummer: event.kvkNumber,
    naam: stored.legalName ?? '',
    plaatsgevondenOp: event.occurredAt.toISOString(),
  };
  switch (event.kind) {
    case 'status_changed':
      return {
        ...common,
        van: !stored.from || stored.from === NOT_REGISTERED ? null : statusInWords(stored.from),
        naar: statusInWords(stored.to ?? ''),
        toelichting: reasonInLanguage(stored.reasonText, 'nl'),
        sinds: instant(stored.since),
        geldigTot: instant(stored.validUntil),
        links,
      };
    case 'attestation_changed': {
      const number = stored.attestationNumber ?? '';
      return {
        ...common,
        verklaring: {
          nummer: number,
          van: stored.from ?? null,
          naar: stored.to ?? '',
          sinds: instant(stored.since),
          geldigTot: instant(stored.validUntil),
        },
        links: {
          ...links,
          verklaring: { href: `${api}/verklaringen/${number}` },
          verificatiepagina: { href: `${publicBaseUrl}${paths.verificationOf(number)}` },
        },
      };
    }
    case 'listing_ends_before_contract':
      return {
        ...common,
        geldigTot: instant(stored.validUntil),
        contracteinde: stored.contractEnd ?? null,
        links,
      };
  }
}
