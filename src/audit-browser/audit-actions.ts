import { STATUS_EVENT_KINDS } from '../status/status-rules';

/**
 * Every action the register writes to the audit log, grouped by what it is about: the list the
 * auditor filters on, and the actions the page names in words (`audit.actions.<group>.<name>` in
 * both languages). An action missing here still shows, as its code; a unit test reads src/ and
 * fails when code writes an action this list does not know.
 */
export const AUDIT_ACTION_GROUPS = {
  provider: [
    'provider.created',
    'provider.identity_confirmed',
    'provider.dossier_exported',
    'provider.handed_over',
  ],
  claim: ['claim.submitted', 'claim.confirmed', 'claim.approved', 'claim.rejected', 'claim.closed'],
  application: [
    'application.created',
    'application.saved',
    'application.details_kept',
    'application.replied',
    'application.submitted',
    'application.withdrawn',
    'application.start_review',
    'application.request_changes',
    'application.approve',
    'application.reject',
  ],
  evidence: ['evidence.uploaded', 'evidence.deleted', 'evidence.downloaded', 'evidence.extract_downloaded'],
  status: STATUS_EVENT_KINDS.map((kind) => `status.${kind}`),
  attestation: ['attestation.issued', 'attestation.downloaded'],
  code_of_conduct: ['code_of_conduct.published', 'code_of_conduct.withdrawn'],
  aan: ['aan.imported', 'aan.refused', 'aan.tasks_kept_closed', 'aan.tasks_superseded'],
  review_task: ['review_task.opened', 'review_task.resolved', 'review_task.closed_by_list'],
  settings: ['settings.changed'],
  user: [
    'user.created',
    'user.logged_in',
    'user.password_reset_requested',
    'user.password_reset',
    'user.password_changed',
    'user.second_factor_enabled',
    'user.recovery_code_used',
    'user.email_confirmation_sent',
    'user.email_confirmed',
    'user.registration_attempted',
    'user.adopted_by_eherkenning',
    'user.watch_mail_changed',
  ],
  invitation: ['invitation.created', 'invitation.resent', 'invitation.revoked', 'invitation.not_sent'],
  staff: ['staff.role_changed', 'staff.disabled', 'staff.enabled'],
  buyer: ['buyer.disabled', 'buyer.enabled'],
  buyer_organisation: ['buyer_organisation.created', 'buyer_organisation.renamed'],
  watch_list: [
    'watch_list.created',
    'watch_list.renamed',
    'watch_list.deleted',
    'watch_list.entry_added',
    'watch_list.entry_changed',
    'watch_list.entry_removed',
    'watch_list.entries_added',
  ],
  security: [
    'security.login_failed',
    'security.second_factor_failed',
    'security.csrf_refused',
    'security.rate_limited',
    'security.eherkenning_refused',
  ],
  audit: ['audit.exported', 'audit.verified'],
  personal_data: ['personal_data.erased'],
  webhook_subscription: [
    'webhook_subscription.created',
    'webhook_subscription.disabled',
    'webhook_subscription.enabled',
    'webhook_subscription.deleted',
  ],
  api_key: ['api_key.created', 'api_key.revoked'],
  signal_supplier: [
    'signal_supplier.created',
    'signal_supplier.renamed',
    'signal_supplier.person_invited',
    'signal_supplier.person_disabled',
    'signal_supplier.person_enabled',
    'signal_supplier.suspended',
    'signal_supplier.reinstated',
  ],
  signal: ['signal.created', 'signal.read', 'signal.withdrawn'],
  signal_match: [
    'signal_match.found',
    'signal_match.confirmed',
    'signal_match.dismissed',
    'signal_match.answered',
    'signal_match.reminded',
    'signal_match.overdue',
    'signal_match.task_resolved',
  ],
  reseller: [
    'reseller.declared',
    'reseller.removed',
    'reseller.imported',
    'reseller.declarations_flagged',
    'reseller.task_resolved',
  ],
} as const satisfies Record<string, readonly string[]>;

export type AuditActionGroup = keyof typeof AUDIT_ACTION_GROUPS;

const KNOWN = new Set<string>(Object.values(AUDIT_ACTION_GROUPS).flat());

/** Whether the page has words for this action (else it shows the code). */
export function isKnownAction(action: string): boolean {
  return KNOWN.has(action);
}

/** The translation key of a known action's name (kept with the audit log, which the domain uses too). */
export { actionLabelKey } from '../audit/audit.service';

/**
 * The kinds of subject an event is about, for the filter's list; the page names them in words
 * (`audit.subjectTypes.<type>`).
 */
export const AUDIT_SUBJECT_TYPES = [
  'provider',
  'application',
  'evidence',
  'attestation',
  'user',
  'invitation',
  'code_of_conduct_version',
  'aan_import',
  'aan_list',
  'setting',
  'audit_log',
  'claim',
  'buyer_organisation',
  'watch_list',
  'webhook_subscription',
  'api_key',
  'signal_supplier',
  'signal',
  'declared_reseller',
  'signal_match',
] as const;
