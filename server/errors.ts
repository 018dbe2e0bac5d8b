/**
 * Typed domain errors. Domain code throws these; one error handler turns them into a page or JSON.
 * Their messages are written for the person using the site, because they are shown as they are.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** Also used for content the viewer may not see: existence itself can be confidential. */
export class NotFound extends DomainError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(message = 'That page does not exist, or you do not have access to it.') {
    super(message);
  }
}

export class Unauthenticated extends DomainError {
  readonly status = 401;
  readonly code = 'unauthenticated';
  constructor(message = 'Please sign in to continue.') {
    super(message);
  }
}

export class Forbidden extends DomainError {
  readonly status = 403;
  readonly code = 'forbidden';
  constructor(message = 'You are not allowed to do that.') {
    super(message);
  }
}

export class Conflict extends DomainError {
  readonly status = 409;
  readonly code = 'conflict';
}

export class TooManyRequests extends DomainError {
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(
    message: string,
    /** When known, sent as Retry-After. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** The work ran past its time limit and was stopped: nothing is wrong with the request, and it may go through when tried again. */
export class TimedOut extends DomainError {
  readonly status = 503;
  readonly code = 'timed_out';
}

/** A request that is well-formed but breaks a rule; `fields` names the inputs at fault. */
/** A page that helps with the refusal, such as the earlier post a duplicate repeats. */
export interface SeeAlso {
  href: string;
  label: string;
}

export class Invalid extends DomainError {
  readonly status = 422;
  readonly code = 'invalid';
  constructor(
    message: string,
    readonly fields: Record<string, string> = {},
    readonly see?: SeeAlso,
  ) {
    super(message);
  }
}

/** Collects per-field problems first, so a form shows every one of them at once. */
export function throwIfInvalid(fields: Record<string, string>, message = 'Please correct the marked fields.'): void {
  if (Object.keys(fields).length > 0) throw new Invalid(message, fields);
}
