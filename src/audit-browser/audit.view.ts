import { isEmailActor, personOfActor } from '../audit/actor';
import { checkPersonalData, PERSONAL_DATA_FIELD, PERSONAL_DATA_PROBLEMS } from '../audit/personal-data';
import { UNKNOWN_ACCOUNT } from '../audit/security-events';
import type { PersonalDataRow } from '../audit/personal-data.queries';
import { paths } from '../shared/paths';
import { isPeildatum } from '../shared/time';
import { formValues, repeatedFields } from '../shared/validation';
import { actionLabelKey, AUDIT_ACTION_GROUPS, AUDIT_SUBJECT_TYPES, isKnownAction } from './audit-actions';
import type { AuditFilter, AuditRow, SubjectNames } from './audit-browser.service';

export const FILTER_FIELDS = [
  'kvkNummer',
  'door',
  'actie',
  'soort',
  'onderwerp',
  'van',
  'tot',
  'ingangVan',
  'ingangTot',
] as const;
type FilterField = (typeof FILTER_FIELDS)[number];

const DATE_FIELDS: readonly FilterField[] = ['van', 'tot', 'ingangVan', 'ingangTot'];

/**
 * The filter from the query string (Dutch names, as the page's form sends them), what was typed
 * (to show it again) and what is wrong with it. With any error the page searches nothing. A filter
 * given twice (?van=a&van=b) is an error: the page and the exports never pick one or drop both.
 */
export function readFilter(query: unknown) {
  const repeated = repeatedFields(query, FILTER_FIELDS);
  const source = query && typeof query === 'object' ? (query as Record<string, unknown>) : {};
  // A repeated field keeps its first value in the form, next to the message about the second.
  const firsts = Object.fromEntries(
    repeated.map((field) => [field, (source[field] as unknown[]).find((v) => typeof v === 'string')]),
  );
  const values = formValues({ ...source, ...firsts }, FILTER_FIELDS);
  for (const field of FILTER_FIELDS) values[field] = values[field].slice(0, 200);
  const errors: Partial<Record<FilterField, string>> = {};
  for (const field of repeated)
    errors[field] = DATE_FIELDS.includes(field) ? 'validation.repeatedDate' : 'validation.repeatedFilter';
  for (const [from, to] of [
    ['van', 'tot'],
    ['ingangVan', 'ingangTot'],
  ] as const) {
    for (const field of [from, to]) {
      if (!errors[field] && values[field] && !isPeildatum(values[field])) errors[field] = 'validation.date';
    }
    // ISO dates compare as strings.
    if (!errors[from] && !errors[to] && values[from] && values[to] && values[from] > values[to])
      errors[to] = 'audit.toBeforeFrom';
  }
  // Typed with spaces or dots as on a KvK extract: 1234 5678.
  const kvkNumber = values.kvkNummer.replace(/[\s.]/g, '');
  if (!errors.kvkNummer && kvkNumber && !/^\d{8}$/.test(kvkNumber)) errors.kvkNummer = 'validation.kvkNumber';
  const given = (field: FilterField) => values[field] || undefined;
  const filter: AuditFilter = {
    actor: given('door'),
    action: given('actie'),
    subjectType: given('soort'),
    subjectId: given('onderwerp'),
    from: given('van'),
    to: given('tot'),
    effectiveFrom: given('ingangVan'),
    effectiveTo: given('ingangTot'),
  };
  return { values, errors, filter, kvkNumber: kvkNumber || undefined };
}

/** The error summary's list, in the order of the form. */
export const errorList = (errors: Partial<Record<FilterField, string>>) =>
  FILTER_FIELDS.filter((f) => errors[f]).map((field) => ({
    field,
    key: errors[field],
    anchor: `field-${field}`,
  }));

/**
 * The action list as groups of a select: first "all of the group" (the group's prefix, which the
 * filter matches as the start of an action), then each action in words; what was typed and is in
 * no group stays selectable, so the form keeps it.
 */
export function actionOptions(selected: string) {
  const groups = Object.entries(AUDIT_ACTION_GROUPS).map(([group, actions]) => ({
    labelKey: `audit.actionGroups.${group}`,
    options: [
      { value: `${group}.`, labelKey: 'audit.allOfGroup', groupKey: `audit.actionGroups.${group}` },
      ...actions.map((action) => ({ value: action, labelKey: actionLabelKey(action) })),
    ],
  }));
  const listed = groups.some((g) => g.options.some((o) => o.value === selected));
  return { groups, typed: selected && !listed ? selected : undefined };
}

export function subjectTypeOptions(selected: string) {
  const options: { value: string; labelKey?: string; label?: string }[] = AUDIT_SUBJECT_TYPES.map((type) => ({
    value: type,
    labelKey: `audit.subjectTypes.${type}`,
  }));
  if (selected && !options.some((o) => o.value === selected))
    options.push({ value: selected, label: selected });
  return options;
}

/** A subject as the page names it: a translation key with the name, or a plain text; and where one click leads. */
interface SubjectView {
  key?: string;
  /** The name is itself a translation key (an invitation's role). */
  nameKey?: string;
  /** The note is a translation key (an invitation's state). */
  noteKey?: string;
  /** Without a name from the register: the kind of subject, in words or else its code. */
  typeKey?: string;
  typeCode?: string;
  name: string;
  /** A moment the name is made of, written as a date in the page's language (`{name}` of the key). */
  day?: Date;
  note?: string;
  url?: string;
}

function subjectView(row: AuditRow, names: SubjectNames): SubjectView {
  const found = names.get(`${row.subjectType}:${row.subjectId}`);
  // A security event about an address that belongs to no account.
  if (row.subjectType === 'user' && row.subjectId === UNKNOWN_ACCOUNT)
    return { key: 'audit.unknownAccount', name: row.subjectId };
  if (!found) {
    return (AUDIT_SUBJECT_TYPES as readonly string[]).includes(row.subjectType)
      ? { typeKey: `audit.subjectTypes.${row.subjectType}`, name: row.subjectId }
      : { typeCode: row.subjectType, name: row.subjectId };
  }
  const provider = found.kvk_number ? paths.reviewProvider(found.kvk_number) : undefined;
  switch (row.subjectType) {
    case 'provider':
      return { name: found.name, note: found.kvk_number ?? undefined, url: provider };
    case 'application':
      return { key: 'audit.subject.applicationOf', name: found.name, url: paths.reviewApplication(found.id) };
    case 'evidence':
      return {
        key: 'audit.subject.evidenceOf',
        name: found.name,
        note: found.detail ?? undefined,
        url: found.extra ? paths.reviewApplication(found.extra) : provider,
      };
    case 'attestation':
      return {
        key: 'audit.subject.attestationOf',
        name: found.name,
        note: found.detail ?? undefined,
        url: found.detail ? paths.verificationOf(found.detail) : provider,
      };
    case 'user':
      // An erased person's account keeps its id, nothing else.
      return found.name
        ? { name: found.name, note: found.detail ?? undefined }
        : { key: 'audit.erasedUser', name: '', note: row.subjectId };
    case 'invitation':
      return {
        key: 'audit.subject.invitationAs',
        name: '',
        nameKey: `roles.${found.name}`,
        noteKey: `audit.invitationStates.${found.detail}`,
      };
    case 'aan_import':
      return { key: 'audit.subject.aanImportOf', name: found.name, day: new Date(found.name) };
    case 'signal':
      // The number counts its supplier's signals (F19): the supplier's name tells two SIG-000001 apart.
      return { name: found.name, note: found.detail ?? undefined };
    case 'code_of_conduct_version':
      return { key: 'audit.subject.codeOfConductVersion', name: found.name, note: found.detail ?? undefined };
    default:
      return { name: found.name };
  }
}

/** A detail's value as text: strings as they are, anything else as JSON. */
const detailText = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * The personal details kept beside the event, for the row's <details>: each field, and whether the
 * digest the event carries still matches them, or they were erased (a `personal_data.erased` event
 * names the event: `erased`), or they are gone without one (`missing`, a problem like `altered`).
 */
function personalDetails(row: AuditRow, side: PersonalDataRow | undefined, erased: boolean) {
  const check = checkPersonalData(row.data, side, erased);
  if (check === 'none') return [];
  return [
    ...Object.entries(side?.data ?? {}).map(([key, value]) => ({ key, value: detailText(value) })),
    {
      key: PERSONAL_DATA_FIELD,
      value: detailText(row.data[PERSONAL_DATA_FIELD]),
      checkKey: `audit.personalData.${check}`,
      problem: PERSONAL_DATA_PROBLEMS.includes(check),
    },
  ];
}

/** System actors the page says in words, in the page's language. */
const SYSTEM_ACTOR_KEYS: Record<string, string> = { anonymous: 'audit.anonymous' };

/**
 * Who the CSV's `actorName` column names (for people, in Excel): the account's name and role, the
 * words for an erased person or someone not signed in, nothing for other systems (their code says it).
 */
export function actorCell(row: AuditRow): { name?: string; roleKey?: string; key?: string } {
  if (row.actorAccount) return { name: row.actorAccount.name, roleKey: `roles.${row.actorAccount.role}` };
  if (personOfActor(row.actor) !== undefined || isEmailActor(row.actor)) return { key: 'audit.erasedUser' };
  const key = SYSTEM_ACTOR_KEYS[row.actor];
  return key ? { key } : {};
}

/** One row of the table: everything in words, the raw data only inside the row's <details>. */
export function auditRowView(
  row: AuditRow,
  names: SubjectNames,
  personal?: Map<string, PersonalDataRow>,
  erasedEvents?: ReadonlySet<string>,
) {
  const actor = names.get(`actor:${row.actor}`);
  // A person (by id, or by address in older events) the users table no longer knows.
  const erased = !actor && (personOfActor(row.actor) !== undefined || isEmailActor(row.actor));
  const takesEffectApart =
    row.action.startsWith('status.') && row.effectiveAt.getTime() !== row.occurredAt.getTime();
  return {
    id: row.id,
    occurredAt: row.occurredAt,
    effectiveAt: takesEffectApart ? row.effectiveAt : undefined,
    action: row.action,
    actionKey: isKnownAction(row.action) ? actionLabelKey(row.action) : undefined,
    actorName: actor?.name,
    actorEmail: actor?.detail ?? undefined,
    actorRoleKey: actor?.extra ? `roles.${actor.extra}` : undefined,
    actorErased: erased,
    // A system actor the page can say in words (someone not signed in).
    actorKey: SYSTEM_ACTOR_KEYS[row.actor],
    // The address of an erased person is not repeated; a role and id, or a system, is.
    actor: erased && isEmailActor(row.actor) ? undefined : row.actor,
    subject: subjectView(row, names),
    details: [
      ...Object.entries(row.data)
        .filter(([key]) => key !== PERSONAL_DATA_FIELD)
        .map(([key, value]) => ({ key, value: detailText(value) })),
      ...personalDetails(row, personal?.get(row.id), erasedEvents?.has(row.id) ?? false),
      { key: 'subjectId', value: row.subjectId },
      { key: 'hash', value: row.hash },
      { key: 'prevHash', value: row.prevHash },
    ],
  };
}
