// A sale and its refunds: look one up by id, see its lines, issue a refund.
import { useRef, useState } from 'preact/hooks';
import { ApiProblem, api, call, newIdempotencyKey, seg } from '../api';
import { href, navigate, useAsync, useTitle } from '../hooks';
import { describe, fieldErrors, lineErrors } from '../problems';
import { productName, useProducts } from '../products';
import { RefundsList, SALE_STATUS, SaleLines } from '../sale';
import type { Refund, Sale } from '../types';
import { Checkbox, DateTime, ErrorBox, Field, Loading, Money, Notice, announce, formatMoney } from '../ui';

export function SalesLookup() {
  useTitle('Sales', 'Shop admin');
  const [id, setId] = useState('');
  return (
    <>
      <h1>Sales & refunds</h1>
      <form class="card inline-form" aria-label="Find a sale" onSubmit={(e) => { e.preventDefault(); if (id.trim()) navigate(href(['sales', id.trim()])); }}>
        <Field label="Sale id" name="sale_id" value={id} onValue={setId} required />
        <button type="submit">Find sale</button>
      </form>
      <p class="muted">A customer's sales are listed on their page under <a href="#/customers">Customers</a>.</p>
    </>
  );
}

export function SaleView({ id }: { id: string }) {
  useTitle(`Sale ${id}`, 'Shop admin');
  const sale = useAsync(() => api.get<Sale>(`/sales/${seg(id)}`), [id]);
  const s = sale.data;
  return (
    <>
      <p class="breadcrumb"><a href="#/sales">Sales</a></p>
      <h1>Sale {id}</h1>
      {sale.loading && !s && <Loading label="Loading the sale…" />}
      <ErrorBox error={sale.error} onRetry={sale.reload} />
      {s && (
        <>
          <dl class="facts">
            <dt>Customer</dt><dd><a href={href(['customers', s.customer_id])}>{s.customer_id}</a></dd>
            <dt>Placed</dt><dd><DateTime iso={s.created_at} /></dd>
            <dt>Status</dt><dd><span class={`tag status-${s.status}`}>{SALE_STATUS[s.status] ?? s.status}</span></dd>
            <dt>Total</dt><dd><Money cents={s.total_cents} /></dd>
            <dt>Refunded</dt><dd><Money cents={s.refunded_cents} /></dd>
          </dl>
          <h2>Lines</h2>
          <SaleLines sale={s} shopLinks={false} />
          <RefundsList refunds={s.refunds ?? []} />
          <RefundForm sale={s} onDone={sale.reload} />
        </>
      )}
    </>
  );
}

function RefundForm({ sale, onDone }: { sale: Sale; onDone: () => void }) {
  const refundable = sale.items.filter((l) => l.quantity - (l.refunded_quantity ?? 0) > 0);
  const products = useProducts(sale.items.map((l) => l.product_id));
  const [units, setUnits] = useState<Record<string, string>>({});
  const [reason, setReason] = useState('');
  const [restock, setRestock] = useState(true);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [result, setResult] = useState<{ refund: Refund; pending: boolean } | null>(null);
  // Same body, same key: a retry after a lost answer cannot refund twice.
  const attempt = useRef<{ body: string; key: string } | null>(null);

  if (sale.status === 'pending' || sale.status === 'failed') return <Notice>This sale is {sale.status}; only completed sales can be refunded.</Notice>;

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const items = refundable.flatMap((l) => {
      const raw = (units[l.product_id] ?? '').trim();
      if (!raw || raw === '0') return [];
      const n = Number(raw);
      const left = l.quantity - (l.refunded_quantity ?? 0);
      if (!Number.isInteger(n) || n < 0 || n > left) {
        errs[l.product_id] = `Enter a whole number from 0 to ${left}.`;
        return [];
      }
      return [{ product_id: l.product_id, quantity: n }];
    });
    if (!items.length && !Object.keys(errs).length) errs.form = 'Choose how many units of at least one line to refund.';
    if (!reason.trim()) errs.reason = 'A reason is required.';
    setLocal(errs);
    if (Object.keys(errs).length) return;
    const body = { items, reason: reason.trim(), restock };
    const json = JSON.stringify(body);
    if (!attempt.current || attempt.current.body !== json) attempt.current = { body: json, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await call<Refund>('POST', `/sales/${seg(sale.id)}/refunds`, { body, idempotencyKey: attempt.current.key });
      attempt.current = null;
      const pending = res.status === 202 || res.data.status === 'pending';
      setResult({ refund: res.data, pending });
      setUnits({});
      setReason('');
      announce(pending ? `Refund of ${formatMoney(res.data.amount_cents)} recorded; it is on its way.` : `Refunded ${formatMoney(res.data.amount_cents)} to the customer's wallet.`);
      onDone();
    } catch (err) {
      if (!(err instanceof ApiProblem && (err.status === 0 || err.status >= 500))) attempt.current = null;
      const byIndex = lineErrors(err);
      const perLine: Record<string, string> = {};
      byIndex.forEach((m, i) => items[i] && (perLine[items[i].product_id] = m));
      setLocal(perLine);
      setError(err);
      // Refused against what is left now (another refund may have raced): show the current sale.
      if (err instanceof ApiProblem && err.status === 409) onDone();
    } finally {
      setBusy(false);
    }
  };

  const serverFields = fieldErrors(error);
  // Refused lines with nothing left now: their field is gone after the reload, so list them here.
  const gone = sale.items.filter((l) => local[l.product_id] && !refundable.includes(l));
  return (
    <section class="card" aria-labelledby="refund-h">
      <h2 id="refund-h">Issue a refund</h2>
      {result && (
        <Notice kind={result.pending ? 'info' : 'ok'}>
          {result.pending
            ? `Refund of ${formatMoney(result.refund.amount_cents)} recorded and pending: a service did not answer in time, and the platform will finish it.`
            : `Refund of ${formatMoney(result.refund.amount_cents)} completed${result.refund.restocked ? ', units back in stock' : ''}.`}
        </Notice>
      )}
      {refundable.length === 0 ? (
        <p class="empty">Everything in this sale has been refunded.</p>
      ) : (
        <form onSubmit={submit} aria-label="Issue a refund" noValidate>
          {refundable.map((l) => {
            const left = l.quantity - (l.refunded_quantity ?? 0);
            return (
              <Field
                key={l.product_id}
                label={`Units to refund: ${productName(products[l.product_id], l.product_id)}`}
                name={`units-${l.product_id}`}
                type="number"
                min={0}
                max={left}
                step={1}
                value={units[l.product_id] ?? ''}
                onValue={(v) => setUnits((u) => ({ ...u, [l.product_id]: v }))}
                hint={`${left} of ${l.quantity} left to refund, ${formatMoney(l.unit_price_cents)} each.`}
                error={local[l.product_id]}
              />
            );
          })}
          <Field label="Reason" name="reason" value={reason} onValue={setReason} required maxLength={500} error={local.reason ?? serverFields.reason} />
          <Checkbox label="Put the units back in stock" checked={restock} onChecked={setRestock} name="restock" />
          {local.form && <p class="field-error" role="alert">{local.form}</p>}
          {error != null && (
            <div class="field-error" role="alert">
              <p>{describe(error)}</p>
              {gone.length > 0 && (
                <ul>
                  {gone.map((l) => (
                    <li key={l.product_id}>{productName(products[l.product_id], l.product_id)}: {local[l.product_id]}</li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <button type="submit" disabled={busy}>{busy ? 'Refunding…' : 'Issue refund'}</button>
        </form>
      )}
    </section>
  );
}
