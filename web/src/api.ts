// The one way the pages talk to the API: same-origin JSON, bearer token, problem+json
// errors as ApiProblem, and one silent token refresh when an access token has expired.
import { clearSession, getSession, sessionKey, setSession } from './session';
import type { LoginAnswer } from './types';

export interface FieldError {
  field: string;
  message: string;
}

/** An RFC 9457 problem from the API, or a synthesized one (status 0: no answer at all). */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    readonly retryAfter: number | null = null,
  ) {
    super(detail || title);
    this.name = 'ApiProblem';
  }
}

export interface Reply<T> {
  status: number;
  data: T;
  etag: string | null;
  location: string | null;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface Options {
  query?: Query;
  body?: unknown;
  /** For writes that move money or stock: a retry with the same key changes nothing twice. */
  idempotencyKey?: string;
  /** The ETag (or version) the change was made against. */
  ifMatch?: string | number;
  /** Statuses whose body is data, not a problem (health answers 503 with a report). */
  accept?: number[];
}

/** Someone's login ended (refresh refused): the app shows the sign-in form. */
const signedOut = new Set<() => void>();
export function onSignedOut(fn: () => void): () => void {
  signedOut.add(fn);
  return () => signedOut.delete(fn);
}

/** A fresh Idempotency-Key. randomUUID needs a secure context, so fall back to getRandomValues. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** An ETag for If-Match from a version number, or the ETag as the server sent it. */
export function etagOf(v: string | number): string {
  return typeof v === 'number' ? `"${v}"` : v;
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

// Routes where a 401 means "wrong credentials", not "token expired".
const NO_REFRESH = ['/login', '/register', '/token/refresh', '/logout'];

async function send(method: string, path: string, opts: Options): Promise<{ res: Response; token: string | null }> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const s = getSession();
  const token = s?.access_token ?? null;
  if (token) headers.Authorization = `Bearer ${token}`;
  if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (opts.ifMatch !== undefined) headers['If-Match'] = etagOf(opts.ifMatch);
  try {
    const res = await fetch(withQuery(path, opts.query), {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      credentials: 'same-origin',
    });
    return { res, token };
  } catch {
    throw new ApiProblem(0, 'network', 'Network error', 'The server could not be reached.');
  }
}

/** What a refresh came to: a new pair, a refusal (the login is over), or no answer worth
 *  acting on (network, 5xx, 429), after which the login is kept for a later try. */
type Renewal = 'renewed' | 'refused' | 'unavailable';

let refreshing: Promise<Renewal> | null = null;

/** One refresh at a time, across this page's tabs too: a refresh token is spent once, and a
 *  spent one presented again ends the login (API.md). `used` is the access token that was
 *  refused; if the stored one differs, another request or tab has refreshed already. */
function refreshOnce(used: string): Promise<Renewal> {
  refreshing ??= withLock(async (): Promise<Renewal> => {
    const s = getSession();
    if (!s) return 'refused';
    if (s.access_token !== used) return 'renewed';
    try {
      const res = await fetch('/token/refresh', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ refresh_token: s.refresh_token }),
      });
      if (res.ok) {
        setSession((await res.json()) as LoginAnswer);
        return 'renewed';
      }
      return res.status >= 400 && res.status < 500 && res.status !== 429 ? 'refused' : 'unavailable';
    } catch {
      return 'unavailable';
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

/** Runs `task` holding this page's refresh lock in every tab (Web Locks), where there is one. */
function withLock<T>(task: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  return locks ? locks.request(`refresh:${sessionKey()}`, task) : task();
}

async function toProblem(res: Response): Promise<ApiProblem> {
  const retry = Number(res.headers.get('Retry-After'));
  const retryAfter = Number.isFinite(retry) && retry > 0 ? retry : null;
  let body: Partial<ApiProblem> & { errors?: FieldError[] } = {};
  try {
    body = await res.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  return new ApiProblem(
    res.status,
    body.type ?? 'about:blank',
    body.title ?? res.statusText,
    body.detail ?? '',
    Array.isArray(body.errors) ? body.errors : [],
    retryAfter,
  );
}

/** Sends one request; resolves with the answer or rejects with an ApiProblem. */
export async function call<T>(method: string, path: string, opts: Options = {}): Promise<Reply<T>> {
  let { res, token } = await send(method, path, opts);
  if (res.status === 401 && token && !NO_REFRESH.includes(path)) {
    const renewal = await refreshOnce(token);
    if (renewal === 'unavailable') {
      throw new ApiProblem(503, 'session-renewal', 'Try again shortly', 'Your session could not be renewed just now.');
    }
    if (renewal === 'renewed') ({ res } = await send(method, path, opts));
    if (res.status === 401) {
      clearSession();
      signedOut.forEach((fn) => fn());
    }
  }
  if (!res.ok && !opts.accept?.includes(res.status)) throw await toProblem(res);
  const text = res.status === 204 ? '' : await res.text();
  return {
    status: res.status,
    data: (text ? JSON.parse(text) : undefined) as T,
    etag: res.headers.get('ETag'),
    location: res.headers.get('Location'),
  };
}

export const api = {
  get: async <T>(path: string, query?: Query) => (await call<T>('GET', path, { query })).data,
  post: async <T>(path: string, body: unknown, opts: Options = {}) =>
    (await call<T>('POST', path, { ...opts, body })).data,
  patch: async <T>(path: string, body: unknown, opts: Options = {}) =>
    (await call<T>('PATCH', path, { ...opts, body })).data,
  del: async (path: string, opts: Options = {}) => {
    await call<void>('DELETE', path, opts);
  },
};

/** Path segment from an id the user typed or the URL held. */
export const seg = encodeURIComponent;
