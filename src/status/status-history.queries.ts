import { CodeOfConductVersion } from './code-of-conduct-version.entity';
import { StatusEvent } from './status-event.entity';
import type { StatusEventKind } from './status-rules';

/**
 * SQL fragments and their row types for queries that bring a provider's history and the code
 * versions along in one round trip, as JSON: instants arrive as ISO text, bigints as text.
 */

/** A status event as `statusEventsJson` gives it. */
export interface StatusEventJson {
  id: string;
  providerId: string;
  kind: StatusEventKind;
  effectiveAt: string;
  recordedAt: string;
  actor: string;
  reason: string | null;
  validUntil: string | null;
  codeOfConductVersionId: string | null;
  codeSignedOn: string | null;
  aanSince: string | null;
  applicationId: string | null;
  suspendedUntil: string | null;
}

/** The status events of the provider whose id is `providerId` (an SQL expression), in the order the rules read them. */
export const statusEventsJson = (providerId: string) => `
  coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'id', e.id::text, 'providerId', e.provider_id, 'kind', e.kind,
                     'effectiveAt', e.effective_at, 'recordedAt', e.recorded_at, 'actor', e.actor,
                     'reason', e.reason, 'validUntil', e.valid_until,
                     'codeOfConductVersionId', e.code_of_conduct_version_id, 'codeSignedOn', e.code_signed_on,
                     'aanSince', e.aan_since, 'applicationId', e.application_id,
                     'suspendedUntil', e.suspended_until) ORDER BY e.effective_at, e.id)
              FROM status_events e WHERE e.provider_id = ${providerId}), '[]'::jsonb)`;

/** A code-of-conduct version as `codeVersionsJson` gives it. */
export interface CodeVersionJson {
  id: string;
  label: string;
  title: string;
  publishedAt: string;
  transitionEndsAt: string;
  notifiedProviderIds: string[];
  unreachableProviderIds: string[];
  createdAt: string;
}

/** Every code-of-conduct version that counts (none withdrawn), oldest first. */
export const codeVersionsJson = `
  coalesce((SELECT jsonb_agg(jsonb_build_object(
                     'id', v.id, 'label', v.label, 'title', v.title, 'publishedAt', v.published_at,
                     'transitionEndsAt', v.transition_ends_at, 'createdAt', v.created_at,
                     'notifiedProviderIds', v.notified_provider_ids,
                     'unreachableProviderIds', v.unreachable_provider_ids) ORDER BY v.published_at)
              FROM code_of_conduct_versions v WHERE v.withdrawn_at IS NULL), '[]'::jsonb)`;

export const instantOrNull = (value: string | null): Date | null => (value === null ? null : new Date(value));

export function statusEventFromJson(json: StatusEventJson): StatusEvent {
  const fields: Omit<StatusEvent, 'provider' | 'codeOfConductVersion'> = {
    ...json,
    effectiveAt: new Date(json.effectiveAt),
    recordedAt: new Date(json.recordedAt),
    validUntil: instantOrNull(json.validUntil),
    aanSince: instantOrNull(json.aanSince),
    suspendedUntil: instantOrNull(json.suspendedUntil),
  };
  return Object.assign(new StatusEvent(), fields);
}

export function codeVersionFromJson(json: CodeVersionJson): CodeOfConductVersion {
  const fields: CodeOfConductVersion = {
    ...json,
    publishedAt: new Date(json.publishedAt),
    transitionEndsAt: new Date(json.transitionEndsAt),
    createdAt: new Date(json.createdAt),
    withdrawnAt: null,
    withdrawnBy: null,
  };
  return Object.assign(new CodeOfConductVersion(), fields);
}
