// Turns an API problem (or any thrown error) into words a person understands.
import { ApiProblem } from './api';

export const OUT_OF_STOCK = '/problems/out-of-stock';
export const INSUFFICIENT_FUNDS = '/problems/insufficient-funds';

export function asProblem(e: unknown): ApiProblem {
  if (e instanceof ApiProblem) return e;
  return new ApiProblem(-1, 'client', 'Error', e instanceof Error ? e.message : String(e));
}

/** A 412, or the 409 of a write whose If-Match named an old version ("…changed since it
 *  was read (If-Match is stale)…"): someone else changed the thing since it was read. */
export function isStale(e: unknown): boolean {
  const p = asProblem(e);
  return p.status === 412 || (p.status === 409 && p.type !== OUT_OF_STOCK && /stale|changed since|version/i.test(p.detail));
}

function sentence(s: string): string {
  const t = s.trim();
  if (!t) return t;
  const cap = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(cap) ? cap : `${cap}.`;
}

/** Field errors by field name, for showing next to inputs. */
export function fieldErrors(e: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(e instanceof ApiProblem)) return out;
  for (const f of e.errors) out[f.field] = out[f.field] ? `${out[f.field]}; ${f.message}` : f.message;
  return out;
}

/** Errors about `items[i].…` fields (order or refund lines), by line index. */
export function lineErrors(e: unknown): Map<number, string> {
  const out = new Map<number, string>();
  if (!(e instanceof ApiProblem)) return out;
  for (const f of e.errors) {
    const m = /^items\[(\d+)\]\.(\w+)$/.exec(f.field);
    if (!m) continue;
    const i = Number(m[1]);
    let text = f.message;
    if (m[2] === 'product_id' && e.status === 404) text = 'This product is no longer available. Remove it to continue.';
    else if (m[2] === 'quantity' && /left in stock/.test(f.message)) text = `Not enough stock: only ${f.message}.`;
    else if (m[2] === 'quantity' && /^\d+ left/.test(f.message)) text = `Only ${f.message}.`;
    else text = sentence(`${m[2].replace('_', ' ')} ${f.message}`);
    out.set(i, out.has(i) ? `${out.get(i)} ${text}` : text);
  }
  return out;
}

export interface Wording {
  /** What was being changed, for the stale-version sentence ("this product"). */
  thing?: string;
}

/** One sentence for the person looking at the page. */
export function describe(e: unknown, w: Wording = {}): string {
  const p = asProblem(e);
  const thing = w.thing ?? 'this';
  if (isStale(p)) return `Someone changed ${thing} since you opened it. Reload to see their change, then try again.`;
  switch (p.status) {
    case 0:
      return 'Could not reach the shop. Check your connection and try again.';
    case -1:
      return sentence(p.detail || 'Something went wrong');
    case 400:
      return sentence(p.detail ? `The request was not understood: ${p.detail}` : 'The request was not understood');
    case 401:
      return 'Please sign in again.';
    case 402:
      return 'Your wallet balance is too low for this. Add money to your wallet and try again.';
    case 403:
      return p.detail ? sentence(`Not allowed: ${p.detail}`) : 'You are not allowed to do that.';
    case 404:
      return sentence(p.detail ? `Not found: ${p.detail}` : 'Not found') + ' It may have been deleted.';
    case 409:
      if (p.type === OUT_OF_STOCK) return 'Some items are out of stock in the quantity asked. See the marked lines.';
      return sentence(p.detail || 'That conflicts with the current state');
    case 413:
      return 'That is too much text to send. Please shorten it.';
    case 422: {
      if (!p.errors.length) return sentence(p.detail || 'Some values are not valid');
      const list = p.errors.map((f) => `${f.field.replace(/_/g, ' ')} ${f.message}`).join('; ');
      return sentence(`Please correct: ${list}`);
    }
    case 428:
      return `The change must name the version of ${thing} it was made against. Reload and try again.`;
    case 429:
      return p.retryAfter
        ? `Too many attempts. Try again in ${p.retryAfter} second${p.retryAfter === 1 ? '' : 's'}.`
        : 'Too many attempts. Please wait a little and try again.';
    case 503:
      return 'The shop is busy or one of its services is down. Please try again shortly.';
    default:
      if (p.status >= 500) return 'Something went wrong on our side. Please try again.';
      return sentence(p.detail || p.title || `Request failed (${p.status})`);
  }
}
