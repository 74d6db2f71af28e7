// The one client of Ferry's /api/v1: same-origin fetch with the session cookie, the CSRF header on
// changes, and RFC 9457 problem details turned into an ApiError that names the field to fix.

export type FieldErrors = Record<string, string>;

export class ApiError extends Error {
  readonly status: number;
  readonly title: string;
  /** Messages by form field (the server's field name without list indexes: publicKeys[2] -> publicKeys). */
  readonly fieldErrors: FieldErrors;
  /** The same messages by the server's own field names, list indexes kept (actions[1].url): for forms with repeated rows. */
  readonly serverFieldErrors: FieldErrors;

  constructor(status: number, title: string, detail: string, fieldErrors: FieldErrors = {}, serverFieldErrors: FieldErrors = {}) {
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.title = title;
    this.fieldErrors = fieldErrors;
    this.serverFieldErrors = serverFieldErrors;
  }
}

/** The form field a server-side field path belongs to: `publicKeys[0]` -> `publicKeys`. */
export function formField(serverField: string): string {
  return serverField.replace(/\[\d+\]/g, '');
}

interface Problem {
  title?: unknown;
  detail?: unknown;
  field?: unknown;
  errors?: unknown;
}

/** Builds the error for a failed response from its status and (possibly empty or non-JSON) body. */
export function problemToError(status: number, contentType: string | null, body: string): ApiError {
  let problem: Problem = {};
  if (contentType && /json/.test(contentType) && body) {
    try {
      const parsed: unknown = JSON.parse(body);
      if (parsed && typeof parsed === 'object') {
        problem = parsed as Problem;
      }
    } catch {
      // not JSON after all: fall through to the generic message
    }
  }
  const title = typeof problem.title === 'string' ? problem.title : statusTitle(status);
  const detail = typeof problem.detail === 'string' && problem.detail ? problem.detail : genericDetail(status);
  const fieldErrors: FieldErrors = {};
  const serverFieldErrors: FieldErrors = {};
  if (Array.isArray(problem.errors)) {
    for (const e of problem.errors) {
      if (e && typeof e === 'object' && typeof e.field === 'string' && typeof e.message === 'string') {
        fieldErrors[formField(e.field)] ??= e.message;
        serverFieldErrors[e.field] ??= e.message;
      }
    }
  }
  if (typeof problem.field === 'string' && !(formField(problem.field) in fieldErrors)) {
    fieldErrors[formField(problem.field)] = detail;
  }
  if (typeof problem.field === 'string' && !(problem.field in serverFieldErrors)) {
    serverFieldErrors[problem.field] = detail;
  }
  return new ApiError(status, title, detail, fieldErrors, serverFieldErrors);
}

function statusTitle(status: number): string {
  switch (status) {
    case 400: return 'Invalid input';
    case 401: return 'Not logged in';
    case 403: return 'Forbidden';
    case 404: return 'Not found';
    case 409: return 'Conflict';
    case 413: return 'Request too large';
    case 429: return 'Too many requests';
    default: return status >= 500 ? 'Server error' : 'Request failed';
  }
}

function genericDetail(status: number): string {
  if (status === 0) return 'the server could not be reached: check the connection and retry';
  if (status >= 500) return 'the server could not complete the request; see its log and retry';
  return `the request failed with status ${status}`;
}

/** The value of a cookie readable by scripts (only XSRF-TOKEN is; the session cookie is HttpOnly). */
export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return null;
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called whenever the server answers 401 to a request other than the login itself. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export interface RequestOptions {
  body?: unknown;
  /** A body sent as it is (e.g. a CSV file) instead of as JSON, with this Content-Type. */
  raw?: { text: string; contentType: string };
  accept?: string;
  signal?: AbortSignal;
}

async function send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    Accept: options.accept ?? 'application/json, application/problem+json',
    // Tells Ferry this is the UI: a 401 then carries no Basic challenge (no browser login dialog).
    'X-Requested-With': 'XMLHttpRequest',
  };
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  if (options.raw) headers['Content-Type'] = options.raw.contentType;
  if (method !== 'GET' && method !== 'HEAD') {
    const token = readCookie('XSRF-TOKEN');
    if (token) headers['X-XSRF-TOKEN'] = token;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: options.raw ? options.raw.text : options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw problemToError(0, null, '');
  }
  if (!response.ok) {
    const error = problemToError(response.status, response.headers.get('Content-Type'), await response.text());
    if (response.status === 401 && path !== '/api/v1/session') {
      unauthorizedListeners.forEach((l) => l());
    }
    throw error;
  }
  return response;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(method, path, options);
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>('GET', path, { signal }),
  post: <T>(path: string, body: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, { body }),
  delete: (path: string) => request<void>('DELETE', path),
  /** A POST of a file's text as it is, e.g. a CSV import. */
  postText: <T>(path: string, text: string, contentType: string) => request<T>('POST', path, { raw: { text, contentType } }),
  /** A GET answered as a file (e.g. the audit's CSV export). */
  blob: async (path: string, accept: string) => (await send('GET', path, { accept })).blob(),
};

/** A query string from the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}
