/** Base of the errors the error handler maps to a status and a page; `messageKey` is a translation key. */
export abstract class AppError extends Error {
  abstract readonly status: number;
  constructor(
    readonly messageKey: string,
    message?: string,
    /** Values for the placeholders of the message's text; a date is written in words on the page. */
    readonly messageParams: Record<string, string | Date> = {},
  ) {
    super(message ?? messageKey);
    this.name = new.target.name;
  }
}

/** Thrown when the thing a URL names does not exist (or is not the caller's to see). */
export class NotFoundError extends AppError {
  readonly status = 404;
  constructor(message?: string) {
    super('errors.notFound.title', message);
  }
}

/** Thrown when input breaks a rule; `fields` maps each field to translation keys of its problems. */
export class ValidationError extends AppError {
  readonly status = 400;
  constructor(
    readonly fields: Record<string, string[]>,
    message?: string,
    /** Values for the `{name}` placeholders of the messages (a limit, say); a date is written in words. */
    readonly params?: Record<string, string | number | Date>,
  ) {
    super('errors.validation.title', message);
  }
}

/**
 * Thrown when a change collides with the state it meets: another change made in the meantime, or
 * the same form sent twice (`changed`, the default); or a step the thing's state does not allow at
 * all, where nothing changed (`notNow`: a reply on a draft). The 409 page's title says which.
 * `backTo` is the page of the thing concerned, which the 409 page links to.
 */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly backTo?: string;
  readonly kind: 'changed' | 'notNow';
  constructor(
    messageKey: string,
    details: { params?: Record<string, string | Date>; backTo?: string; kind?: 'changed' | 'notNow' } = {},
  ) {
    super(messageKey, undefined, details.params);
    this.backTo = details.backTo;
    this.kind = details.kind ?? 'changed';
  }
}

/**
 * What a form's page says changed meanwhile when a conflict shows it again: the newest change to the
 * thing concerned (what, when, and by whom where the viewer may know), and the state it is in now.
 * `actionKey` and `stateKey` are translation keys.
 */
export interface ChangedMeanwhile {
  actionKey?: string;
  who?: string;
  at?: Date;
  stateKey?: string;
}

/** Thrown when the caller is known but may not do this. */
export class ForbiddenError extends AppError {
  readonly status = 403;
}

/** Thrown when a suspended signal supplier organisation (F22) would send a signal: nothing is stored. */
export class SupplierSuspendedError extends ForbiddenError {
  constructor() {
    super('signalSuppliers.suspendedRefusal');
  }
}

/** Thrown when a caller made too many attempts; `retryAfterSeconds` goes into Retry-After. */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  constructor(
    readonly retryAfterSeconds: number,
    /** What the page says beyond "too many attempts", when there is more to say (a translation key). */
    messageKey = 'errors.tooMany.title',
    messageParams: Record<string, string> = {},
  ) {
    super(messageKey, undefined, messageParams);
  }
}

/** Thrown when the process is too busy to take this work now (e.g. password hashing); retry later. */
export class OverloadedError extends AppError {
  readonly status = 503;
  constructor(readonly retryAfterSeconds: number) {
    super('errors.unavailable.title');
  }
}

/** Thrown when a request cannot be read as it is (a character no field may hold); `messageKey` says why. */
export class BadRequestError extends AppError {
  readonly status = 400;
}

/**
 * Thrown at start or by a command when a setting (or what it names: a file, a database) is wrong:
 * its message is the whole story, one line that names the setting, printed without a stack trace.
 */
export class SettingError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
