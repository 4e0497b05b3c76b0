// Small hooks shared by both apps: async loading, page titles, hash routing.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { getSession, onSessionChange, type Session } from './session';

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  /** Replace the data locally (after a write answered with the new value). */
  set: (v: T) => void;
}

/** Runs `load` now and whenever `deps` change; stale answers of earlier runs are dropped. */
export function useAsync<T>(load: () => Promise<T>, deps: unknown[]): Async<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  const run = useRef(0);
  useEffect(() => {
    const mine = ++run.current;
    setState((s) => ({ data: s.data, loading: true }));
    load().then(
      (data) => mine === run.current && setState({ data, loading: false }),
      (error) => mine === run.current && setState({ error, loading: false }),
    );
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}

/**
 * One write at a time from a form or a button: `run(work)` marks it busy and clears the
 * last error, keeps the error `work` throws for the form to show, and is not busy after.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(async (work: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await work();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** Sets the document title per view, e.g. "Cart · Shop". */
export function useTitle(title: string, app: string): void {
  useEffect(() => {
    document.title = title ? `${title} · ${app}` : app;
  }, [title, app]);
}

export interface Route {
  /** Path segments after `#/`, e.g. ["products", "01J…"]. */
  parts: string[];
  params: URLSearchParams;
}

/** A segment as typed; a malformed escape (`%E0`) is kept as is rather than thrown. */
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function parseHash(): Route {
  const raw = location.hash.replace(/^#\/?/, '');
  const [path, query = ''] = raw.split('?', 2);
  return {
    parts: path.split('/').filter(Boolean).map(decodeSegment),
    params: new URLSearchParams(query),
  };
}

/** The current hash route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash);
  useEffect(() => {
    const on = () => setRoute(parseHash());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** Builds `#/a/b?x=1` from segments and a query. */
export function href(parts: string[], query?: Record<string, string | undefined>): string {
  const path = parts.map(encodeURIComponent).join('/');
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v) q.set(k, v);
  const qs = q.toString();
  return `#/${path}${qs ? `?${qs}` : ''}`;
}

export function navigate(to: string): void {
  if (location.hash !== to) location.hash = to;
}

/** Cursor pagination: the cursors of the pages before this one, for "Previous".
 *  A new `resetKey` (say, other filters) starts again at page 1 in the same render. */
export function useCursor(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | undefined)[] }>({ key: resetKey, stack: [undefined] });
  const stack = state.key === resetKey ? state.stack : [undefined];
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (c: string) => setState({ key: resetKey, stack: [...stack, c] }),
    prev: () => setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}

/** The current login (null when signed out); re-renders on sign-in and sign-out. */
export function useSession(): Session | null {
  const [s, setS] = useState(getSession);
  useEffect(() => onSessionChange(setS), []);
  return s;
}
