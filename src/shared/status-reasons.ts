import { type Language, translate } from './i18n';
import { TIME_ZONE } from './time';

/*
 * Reasons the register itself gives status changes. The AAN import's is stored in Dutch, the
 * register's language, naming the list by the day it was imported; pages and the API show it in
 * the reader's language.
 */

const STORED = /^AAN-deelnemerslijst van (\d{4}-\d{2}-\d{2})$/;

/** The stored reason of a status change that the AAN participant list of `listDate` brought about. */
export function aanListReason(listDate: string): string {
  return `AAN-deelnemerslijst van ${listDate}`;
}

/** The day of the list a stored reason names, when the reason is an AAN import's. */
export function aanListDateOf(reason: string | null | undefined): string | undefined {
  return reason ? STORED.exec(reason)?.[1] : undefined;
}

/**
 * A stored reason as the reader should see it: an AAN import's in their language ("AAN
 * participant list of 12 March 2026"); any other (a person's words) as it was written.
 */
export function reasonInLanguage(reason: string | null | undefined, language: Language): string | null {
  const listDate = aanListDateOf(reason);
  if (!listDate) return reason ?? null;
  const words = new Intl.DateTimeFormat(language === 'nl' ? 'nl-NL' : 'en-GB', {
    timeZone: TIME_ZONE,
    dateStyle: 'long',
  }).format(new Date(`${listDate}T12:00:00Z`));
  return translate(language, 'aan.reason', { date: words });
}
