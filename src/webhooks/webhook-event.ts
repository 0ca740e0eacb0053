import { CloudEvent, HTTP } from 'cloudevents';
import type { WatchEventKind } from '../watch/watch-events';
import { webhookData } from './webhook-data';

/**
 * The CloudEvents `type` of each watch event, reverse-DNS as the NL GOV profile for CloudEvents
 * asks (the register's domain first, then what happened, in Dutch as the register's API speaks).
 */
export const EVENT_TYPES: Readonly<Record<WatchEventKind, string>> = {
  status_changed: 'nl.hostingregister.status-gewijzigd',
  attestation_changed: 'nl.hostingregister.verklaring-gewijzigd',
  listing_ends_before_contract: 'nl.hostingregister.vermelding-eindigt-voor-contract',
};

/** The type of a test event sent from a subscription's page: no watch event behind it. */
export const TEST_EVENT_TYPE = 'nl.hostingregister.test';

/** A watch event as the sender reads it. */
export interface WatchEventRow {
  id: string;
  kind: WatchEventKind;
  kvkNumber: string;
  occurredAt: Date;
  recordedAt: Date;
  data: Record<string, unknown>;
}

export interface EventSource {
  /** `urn:nld:oin:<OIN>:systeem:hostingregister`, or the public base URL without an OIN. */
  source: string;
  publicBaseUrl: string;
}

/**
 * The `source` the NL GOV profile asks for: a URN naming the producing system under the
 * organisation's OIN when there is one, else a URL of the register (both are URI-references).
 */
export function eventSource(publicBaseUrl: string, oin: string | undefined): EventSource {
  return { source: oin ? `urn:nld:oin:${oin}:systeem:hostingregister` : publicBaseUrl, publicBaseUrl };
}

/**
 * The event's `id`: unique within its source as CloudEvents requires, and globally (the profile
 * recommends it) because it names the source. The same watch event has the same id for every
 * subscription and every retry; the delivery's own id is `webhook-id`.
 */
export function eventId(source: string, watchEventId: string): string {
  return source.startsWith('urn:')
    ? `${source}:gebeurtenis:${watchEventId}`
    : `${source}#gebeurtenis-${watchEventId}`;
}

/**
 * The CloudEvent 1.0 for a watch event (NL GOV profile): subject the KvK number, time when the
 * register recorded it, dataref the supplier's API resource, data what happened with links, in
 * the API's vocabulary (webhook-data.ts).
 * `sequence` (an extension the profile names) orders the events of this source.
 */
export function cloudEventFor(
  event: WatchEventRow,
  origin: EventSource,
): CloudEvent<Record<string, unknown>> {
  const provider = `${origin.publicBaseUrl}/api/v1/hostingproviders/${event.kvkNumber}`;
  return new CloudEvent<Record<string, unknown>>({
    specversion: '1.0',
    id: eventId(origin.source, event.id),
    source: origin.source,
    type: EVENT_TYPES[event.kind],
    subject: event.kvkNumber,
    time: event.recordedAt.toISOString(),
    datacontenttype: 'application/json',
    dataref: provider,
    sequence: event.id,
    sequencetype: 'Integer',
    data: webhookData(event, origin.publicBaseUrl),
  });
}

/** The body of a delivery: the event in structured mode (`application/cloudevents+json`). */
export function structuredBody(event: CloudEvent<Record<string, unknown>>): {
  body: string;
  contentType: string;
} {
  const message = HTTP.structured(event);
  return {
    body: String(message.body),
    contentType: String(message.headers['content-type'] ?? 'application/cloudevents+json; charset=utf-8'),
  };
}
