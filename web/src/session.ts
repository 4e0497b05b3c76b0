// The signed-in login: tokens, customer id and role, kept in localStorage so a reload
// (or another tab) stays signed in. The storefront and the admin console keep separate
// logins (a namespace each), so signing in to one does not sign in to the other.
import type { LoginAnswer, Role } from './types';

export interface Session {
  access_token: string;
  refresh_token: string;
  customer_id: string;
  role: Role;
}

let key = 'shop.session';
const listeners = new Set<(s: Session | null) => void>();

/** Call once, before anything reads the session. */
export function setNamespace(namespace: string): void {
  key = `${namespace}.session`;
}

/** The storage key of this page's login (also names its cross-tab refresh lock). */
export function sessionKey(): string {
  return key;
}

export function getSession(): Session | null {
  try {
    const raw = localStorage.getItem(key);
    return raw ? (JSON.parse(raw) as Session) : null;
  } catch {
    return null;
  }
}

function notify(): void {
  const s = getSession();
  listeners.forEach((fn) => fn(s));
}

export function setSession(login: LoginAnswer): void {
  const s: Session = {
    access_token: login.access_token,
    refresh_token: login.refresh_token,
    customer_id: login.customer_id,
    role: login.role,
  };
  localStorage.setItem(key, JSON.stringify(s));
  notify();
}

export function clearSession(): void {
  localStorage.removeItem(key);
  notify();
}

/** Called with the new session (or null) on every change, also from other tabs. */
export function onSessionChange(fn: (s: Session | null) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

addEventListener('storage', (e) => {
  if (e.key === key) notify();
});

/** Ends this login on the server too (its refresh tokens stop working), then forgets it.
 *  Plain fetch on purpose: a failing logout must not trigger the refresh-and-retry dance. */
export async function logout(): Promise<void> {
  const s = getSession();
  clearSession();
  if (!s) return;
  try {
    await fetch('/logout', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${s.access_token}` },
      body: JSON.stringify({ refresh_token: s.refresh_token }),
    });
  } catch {
    // Offline: the tokens expire on their own.
  }
}
