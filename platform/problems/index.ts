// The one family of client-facing errors (RFC 9457 problem details). Thrown anywhere,
// turned into application/problem+json in exactly one place: the API's onError.

export interface FieldProblem {
  field: string;
  message: string;
  keyword?: string;
  /** What the message names (a limit, another object, a value), for clients that say it in their own words. */
  params?: Record<string, string | number>;
  /** In a formula: the token at fault and where it starts (0-based character offset). */
  token?: string;
  position?: number;
}

export interface ProblemInit {
  status: number;
  type: string;
  title: string;
  detail?: string;
  errors?: FieldProblem[];
  extra?: Record<string, unknown>;
  /** Response headers that belong to the problem (Retry-After on a 429). */
  headers?: Record<string, string>;
}

export class ProblemError extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail?: string;
  readonly errors?: FieldProblem[];
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(init: ProblemInit) {
    super(init.detail ?? init.title);
    this.name = 'ProblemError';
    this.status = init.status;
    this.type = `https://kizuna.dev/problems/${init.type}`;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors;
    this.extra = init.extra;
    this.headers = init.headers;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: this.type,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined && { detail: this.detail }),
      ...(this.errors && { errors: this.errors }),
      ...this.extra,
    };
  }
}

export const isProblem = (e: unknown): e is ProblemError => e instanceof ProblemError;

export const badRequest = (detail: string, errors?: FieldProblem[]) =>
  new ProblemError({ status: 400, type: 'bad-request', title: 'Bad request', detail, errors });

export const unauthorized = (detail = 'A valid API key or session is required') =>
  new ProblemError({ status: 401, type: 'unauthorized', title: 'Unauthorized', detail });

export const forbidden = (detail: string, errors?: FieldProblem[]) =>
  new ProblemError({ status: 403, type: 'forbidden', title: 'Forbidden', detail, errors });

export const notFound = (detail: string) => new ProblemError({ status: 404, type: 'not-found', title: 'Not found', detail });

export const conflict = (detail: string, errors?: FieldProblem[], extra?: Record<string, unknown>) =>
  new ProblemError({ status: 409, type: 'conflict', title: 'Conflict', detail, errors, extra });

/** Something that existed and no longer works (410): a one-time link expired, used or withdrawn, with its own `type`. */
export const gone = (type: string, detail: string, errors?: FieldProblem[]) =>
  new ProblemError({ status: 410, type, title: 'Gone', detail, errors });

export const preconditionFailed = (detail: string, extra?: Record<string, unknown>) =>
  new ProblemError({ status: 412, type: 'precondition-failed', title: 'Precondition failed', detail, extra });

export const tooLarge = (detail: string) => new ProblemError({ status: 413, type: 'too-large', title: 'Payload too large', detail });

export const validation = (errors: FieldProblem[], detail?: string) =>
  new ProblemError({
    status: 422,
    type: 'validation',
    title: 'Validation failed',
    detail: detail ?? `${errors.length} ${errors.length === 1 ? 'field is' : 'fields are'} invalid`,
    errors,
  });

export const tooManyRequests = (detail: string, retryAfterSeconds: number) =>
  new ProblemError({
    status: 429,
    type: 'too-many-requests',
    title: 'Too many requests',
    detail,
    extra: { retry_after: retryAfterSeconds },
    headers: { 'retry-after': String(retryAfterSeconds) },
  });
