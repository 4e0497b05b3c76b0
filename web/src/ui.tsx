// Small presentational pieces shared by the storefront and the admin console.
import type { ComponentChildren } from 'preact';
import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { describe, type Wording } from './problems';

const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

/** Money is integer cents of USD (API.md); shown as "$12.34". */
export function formatMoney(cents: number | null | undefined): string {
  return cents == null ? '—' : usd.format(cents / 100);
}

export function Money({ cents }: { cents: number | null | undefined }) {
  return <span class="money">{formatMoney(cents)}</span>;
}

/** "12.34", "$12", "0.5" → cents; null when not a non-negative amount with ≤ 2 decimals. */
export function parseMoney(text: string): number | null {
  const m = /^\s*\$?\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
}

/** cents → "12.34", for prefilling an amount field. */
export function centsToInput(cents: number): string {
  return (cents / 100).toFixed(2);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

export function DateTime({ iso }: { iso: string | null | undefined }) {
  return iso ? <time dateTime={iso}>{formatDate(iso)}</time> : <span>—</span>;
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <p class="loading" role="status">
      <span class="spinner" aria-hidden="true" /> {label}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

export function ErrorBox({ error, wording, onRetry }: { error: unknown; wording?: Wording; onRetry?: () => void }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert">
      <p>{describe(error, wording)}</p>
      {onRetry && (
        <button type="button" class="secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({ children, kind = 'info' }: { children: ComponentChildren; kind?: 'info' | 'ok' | 'warn' }) {
  return <div class={`notice notice-${kind}`}>{children}</div>;
}

/** Cursor pager: "Previous" walks back the cursors seen, "Next" follows next_cursor. */
export function Pager(props: { page: number; nextCursor: string | null | undefined; onNext: (c: string) => void; onPrev: () => void; label?: string }) {
  const { page, nextCursor, onNext, onPrev, label = 'Pages' } = props;
  if (page === 1 && !nextCursor) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="secondary" disabled={page <= 1} onClick={onPrev}>
        Previous page
      </button>
      <span>Page {page}</span>
      <button type="button" class="secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}

interface FieldProps {
  label: string;
  value: string;
  onValue: (v: string) => void;
  error?: string;
  hint?: string;
  type?: "text" | "email" | "password" | "number" | "search";
  name?: string;
  required?: boolean;
  multiline?: boolean;
  rows?: number;
  min?: number;
  max?: number;
  step?: number;
  maxLength?: number;
  minLength?: number;
  autoComplete?: string;
  inputMode?: 'numeric' | 'decimal' | 'text' | 'email' | 'search';
  disabled?: boolean;
}

/** A labelled input (or textarea) with its hint and error announced to screen readers. */
export function Field(p: FieldProps) {
  const id = useId();
  const described = [p.hint && `${id}-hint`, p.error && `${id}-err`].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    value: p.value,
    required: p.required,
    disabled: p.disabled,
    maxLength: p.maxLength,
    minLength: p.minLength,
    'aria-invalid': p.error ? true : undefined,
    'aria-describedby': described,
    onInput: (e: Event) => p.onValue((e.currentTarget as HTMLInputElement).value),
  };
  return (
    <div class={`field${p.error ? ' has-error' : ''}`}>
      <label for={id}>
        {p.label}
        {p.required && <span aria-hidden="true"> *</span>}
      </label>
      {p.multiline ? (
        <textarea {...common} rows={p.rows ?? 4} />
      ) : (
        // Preact types each input `type` apart; one generic field is simpler than five.
        <input {...common} type={(p.type ?? 'text') as 'text'} min={p.min} max={p.max} step={p.step} autoComplete={p.autoComplete} inputMode={p.inputMode} />
      )}
      {p.hint && (
        <p class="hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      )}
      {p.error && (
        <p class="field-error" id={`${id}-err`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function SelectField(p: { label: string; value: string; onValue: (v: string) => void; options: [string, string][]; error?: string; name?: string }) {
  const id = useId();
  return (
    <div class={`field${p.error ? ' has-error' : ''}`}>
      <label for={id}>{p.label}</label>
      <select id={id} name={p.name} value={p.value} aria-invalid={p.error ? true : undefined} aria-describedby={p.error ? `${id}-err` : undefined} onChange={(e) => p.onValue(e.currentTarget.value)}>
        {p.options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
      {p.error && (
        <p class="field-error" id={`${id}-err`}>
          {p.error}
        </p>
      )}
    </div>
  );
}

export function Checkbox(p: { label: string; checked: boolean; onChecked: (v: boolean) => void; name?: string }) {
  const id = useId();
  return (
    <div class="field checkbox">
      <input id={id} type="checkbox" name={p.name} checked={p.checked} onChange={(e) => p.onChecked(e.currentTarget.checked)} />
      <label for={id}>{p.label}</label>
    </div>
  );
}

/** Read-only stars; the number is what assistive tech reads. */
export function Stars({ rating }: { rating: number | null | undefined }) {
  if (rating == null) return <span class="stars">No ratings yet</span>;
  const full = Math.round(rating);
  const text = `${Number.isInteger(rating) ? rating : rating.toFixed(1)} out of 5 stars`;
  return (
    <span class="stars" role="img" aria-label={text} title={text}>
      <span aria-hidden="true">{'★'.repeat(full)}</span>
      <span class="stars-off" aria-hidden="true">
        {'★'.repeat(5 - full)}
      </span>
    </span>
  );
}

export const RATING_OPTIONS: [string, string][] = [
  ['5', '5 – excellent'],
  ['4', '4 – good'],
  ['3', '3 – fair'],
  ['2', '2 – poor'],
  ['1', '1 – bad'],
];

// One polite live region per page: status messages ("Added to cart") land here.
const live = new Set<(m: string) => void>();

export function announce(message: string): void {
  live.forEach((fn) => fn(message));
}

export function LiveRegion() {
  const [msg, setMsg] = useState('');
  useEffect(() => {
    let show = 0;
    let hide = 0;
    const on = (m: string) => {
      // Clear first so the same message twice is read twice; hide the toast after a while.
      setMsg('');
      clearTimeout(show);
      clearTimeout(hide);
      show = window.setTimeout(() => setMsg(m), 50);
      hide = window.setTimeout(() => setMsg(''), 6000);
    };
    live.add(on);
    return () => {
      live.delete(on);
    };
  }, []);
  return (
    <div class="live-region" role="status" aria-live="polite" aria-atomic="true">
      {msg && <p class="toast">{msg}</p>}
    </div>
  );
}

/** Moves focus to the view's heading after navigation, so keyboard and screen-reader
 *  users start at the new content. */
export function useFocusHeading(key: string): void {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false; // a fresh page load starts at the top, as usual
      return;
    }
    focusHeading();
  }, [key]);
}

/** Focuses the view's h1 (the skip link's target too). */
export function focusHeading(): void {
  const h = document.querySelector<HTMLElement>('main h1');
  if (h && document.activeElement !== h) {
    h.setAttribute('tabindex', '-1');
    h.focus();
  }
}

/** "Skip to content": a hash link would be taken for a route, so it focuses instead. */
export function SkipLink() {
  return (
    <a class="skip-link" href="#main" onClick={(e) => { e.preventDefault(); focusHeading(); }}>
      Skip to content
    </a>
  );
}
