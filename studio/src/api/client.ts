// The one way the studio talks to the server: fetch over /api with the session cookie, the
// CSRF token on unsafe methods, and problem+json turned into ApiError with per-field errors.
export interface FieldError {
  field: string;
  message: string;
  keyword?: string;
  /** What the message names (a limit, a name, a field type): docs/API.md, "Everywhere". */
  params?: Record<string, string | number>;
  /** In a formula: the token at fault and where it starts (0-based). */
  token?: string;
  position?: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    readonly errors: FieldError[] = [],
    readonly body: Record<string, unknown> = {},
  ) {
    super(detail ? `${title}: ${detail}` : title);
    this.name = 'ApiError';
  }

  /** The message for one input, by field name (also matches `records[0].email`-style paths). */
  fieldMessage(field: string): string | undefined {
    return this.errors.find((e) => e.field === field || e.field.endsWith(`.${field}`))?.message;
  }
}

// Kept in memory only: a reload asks /api/auth/me for it again (the cookie is HttpOnly).
let csrfToken: string | null = null;
export const setCsrfToken = (token: string | null) => void (csrfToken = token);

/** Called when the server says the session is over, so the app can go to the sign-in page. */
let onUnauthorized: (() => void) | null = null;
export const setUnauthorizedHandler = (fn: () => void) => void (onUnauthorized = fn);

export interface RequestOptions {
  ifMatch?: number | string;
  /** Do not treat a 401 as "signed out" (the sign-in request itself). */
  quiet401?: boolean;
}

export async function api<T = unknown>(method: string, path: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  if (opts.ifMatch !== undefined) headers['If-Match'] = `"${opts.ifMatch}"`;
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return undefined as T;
  const type = response.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => ({})) : {};
  if (!response.ok) {
    if (response.status === 401 && !opts.quiet401) onUnauthorized?.();
    const p = data as { title?: string; detail?: string; errors?: FieldError[] };
    throw new ApiError(response.status, p.title ?? `HTTP ${response.status}`, p.detail, p.errors ?? [], data);
  }
  return data as T;
}

export const apiGet = <T>(path: string) => api<T>('GET', path);

/** Query string from defined values only. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/**
 * Sends a file as the raw request body (POST /api/imports takes it so, not multipart) with
 * XMLHttpRequest: fetch cannot report upload progress, and a big spreadsheet takes a while.
 * Same cookie, CSRF header and problem+json handling as `api`.
 */
export function apiUpload<T = unknown>(
  path: string,
  file: Blob,
  onProgress?: (loaded: number, total: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api${path}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Content-Type', file.type || 'application/octet-stream');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, 'Network error'));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    xhr.onload = () => {
      let data: Record<string, unknown> = {};
      try {
        data = xhr.responseText ? (JSON.parse(xhr.responseText) as Record<string, unknown>) : {};
      } catch {
        /* not JSON (a proxy's error page): keep the status */
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      if (xhr.status === 401) onUnauthorized?.();
      const p = data as { title?: string; detail?: string; errors?: FieldError[] };
      reject(new ApiError(xhr.status, p.title ?? `HTTP ${xhr.status}`, p.detail, p.errors ?? [], data));
    };
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}
