/**
 * E-mail addresses the register takes: the usual dot-atom form only (RFC 5322 §3.4.1 without its
 * quoted strings, comments and address literals), ASCII throughout, the domain a host name with a
 * top-level domain. A quoted local part ("a b"@x.nl) can hold spaces and line breaks; nodemailer
 * reads such an address, a comment in one or a Unicode domain differently from what was typed, so
 * the mail would go to another address than the stored one. Pure, unit-tested on a table of cases.
 */

/** RFC 5322 atext: what a dot-atom's parts are made of. */
const ATOM = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`);
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
/** Letters only, or an internationalised top-level domain in its ASCII (xn--) form. */
const TOP_LEVEL = /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/;

export function isMailAddress(value: string): boolean {
  if (value.length > 254) return false;
  const at = value.lastIndexOf('@');
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (at < 1 || local.length > 64 || !LOCAL_PART.test(local)) return false;
  const labels = domain.split('.');
  return (
    domain.length <= 253 &&
    labels.length >= 2 &&
    labels.every((label) => LABEL.test(label)) &&
    TOP_LEVEL.test(labels[labels.length - 1]!)
  );
}
