// The cart and its checkout: one order (POST /sales with items) under an Idempotency-Key,
// with refusals shown against the lines they concern.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, api, call, newIdempotencyKey, seg } from '../api';
import { href, useAsync, useSession, useTitle } from '../hooks';
import { INSUFFICIENT_FUNDS, describe, lineErrors } from '../problems';
import type { Customer, Product, Sale } from '../types';
import { SALE_STATUS, SaleLines } from '../sale';
import { ErrorBox, Money, Notice, announce, formatMoney } from '../ui';
import { MAX_LINES, MAX_QTY, cartTotal, clearCart, readCart, refreshLine, removeLine, setQuantity, useCart, type CartLine } from './cart';

interface Done {
  sale: Sale;
  balance?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A 202 (or a sale still `pending`) is finished by the platform: look again a few times. */
async function settle(sale: Sale): Promise<Sale> {
  for (let i = 0; i < 10 && sale.status === 'pending'; i++) {
    await sleep(1000 + i * 500);
    sale = await api.get<Sale>(`/sales/${seg(sale.id)}`);
  }
  return sale;
}

export function CartView() {
  const lines = useCart();
  const session = useSession();
  const [done, setDone] = useState<Done | null>(null);
  useTitle(done ? 'Order complete' : 'Your cart', 'Shop');
  if (done) return <OrderComplete done={done} />;
  return (
    <>
      <h1>Your cart</h1>
      {lines.length === 0 ? (
        <p class="empty">Your cart is empty. <a href="#/">Browse the products</a>.</p>
      ) : (
        <Checkout lines={lines} signedIn={!!session && session.role === 'customer'} customerId={session?.customer_id} onDone={setDone} admin={session?.role === 'admin'} />
      )}
    </>
  );
}

function Checkout(props: { lines: CartLine[]; signedIn: boolean; admin: boolean; customerId?: string; onDone: (d: Done) => void }) {
  const { lines } = props;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [perLine, setPerLine] = useState<Record<string, string>>({});
  // The key of the order being placed: reused while its body is the same, so a retry after
  // a lost answer or a 503 cannot buy twice.
  const attempt = useRef<{ body: string; key: string } | null>(null);
  const live = useLiveProducts(lines);

  const checkout = async () => {
    // The cart as stored now, not as last rendered: a quantity typed and then committed by
    // this very click (the field's change fires as it loses focus) is not rendered yet.
    const body = { items: readCart().map((l) => ({ product_id: l.product_id, quantity: l.quantity })) };
    const json = JSON.stringify(body);
    if (!attempt.current || attempt.current.body !== json) attempt.current = { body: json, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    setPerLine({});
    try {
      const res = await call<Sale>('POST', '/sales', { body, idempotencyKey: attempt.current.key });
      attempt.current = null;
      let sale = res.data;
      if (res.status === 202 || sale.status === 'pending') {
        announce('Your order is being processed…');
        sale = await settle(sale);
      }
      const balance = props.customerId
        ? await api.get<Customer>(`/profile/${seg(props.customerId)}`).then((c) => c.wallet_balance_cents, () => undefined)
        : undefined;
      clearCart();
      announce(sale.status === 'pending' ? 'Your order was received and is still being processed.' : `Order complete. You paid ${formatMoney(sale.total_cents)}.`);
      props.onDone({ sale, balance });
    } catch (e) {
      const p = e instanceof ApiProblem ? e : null;
      // Unknown outcome (no answer, 5xx): keep the key so "Check out" again is a safe retry.
      if (!(p && (p.status === 0 || p.status >= 500))) attempt.current = null;
      const byIndex = lineErrors(e);
      const byProduct: Record<string, string> = {};
      byIndex.forEach((msg, i) => body.items[i] && (byProduct[body.items[i].product_id] = msg));
      setPerLine(byProduct);
      setError(e);
      announce(describe(e));
    } finally {
      setBusy(false);
    }
  };

  const total = cartTotal(lines);
  const p = error instanceof ApiProblem ? error : null;
  return (
    <>
      <div class="table-wrap">
        <table class="cart">
          <caption class="visually-hidden">Items in your cart</caption>
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col" class="num">Price</th>
              <th scope="col">Quantity</th>
              <th scope="col" class="num">Subtotal</th>
              <th scope="col"><span class="visually-hidden">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {lines.map((l) => (
              <Line key={l.product_id} line={l} error={perLine[l.product_id]} live={live[l.product_id]} />
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row" colSpan={3}>Total</th>
              <td class="num"><strong><Money cents={total} /></strong></td>
              <td />
            </tr>
          </tfoot>
        </table>
      </div>
      <p class="muted small">Up to {MAX_LINES} different products, {MAX_QTY} of each. Prices are confirmed when you check out.</p>
      {p?.status === 402 || p?.type === INSUFFICIENT_FUNDS ? (
        <div class="error-box" role="alert">
          <p>Insufficient funds: your wallet balance is too low for this order of <Money cents={total} />.</p>
          <p><a href="#/account">Add money to your wallet</a>, then check out again.</p>
        </div>
      ) : (
        <ErrorBox error={error} />
      )}
      {props.signedIn ? (
        <button type="button" class="primary big" disabled={busy} onClick={checkout}>
          {busy ? 'Placing your order…' : 'Check out'}
        </button>
      ) : props.admin ? (
        <Notice kind="warn">Admin accounts cannot buy. Log out and sign in as a customer to check out.</Notice>
      ) : (
        <p>
          <a class="button" href={href(['login'], { next: '/cart' })}>Log in to check out</a> or{' '}
          <a href={href(['register'], { next: '/cart' })}>create an account</a>. Your cart is kept.
        </p>
      )}
    </>
  );
}

/** Current names, prices and stock of the cart's products, fetched when the cart is opened. */
type Live = Record<string, Product | null | undefined>; // null: gone; undefined: unknown

function useLiveProducts(lines: CartLine[]): Live {
  const ids = lines.map((l) => l.product_id).join(',');
  const live = useAsync(async () => {
    const out: Live = {};
    await Promise.all(
      lines.map(async (l) => {
        out[l.product_id] = await api
          .get<Product>(`/products/${seg(l.product_id)}`)
          .catch((e) => (e instanceof ApiProblem && e.status === 404 ? null : undefined));
      }),
    );
    return out;
  }, [ids]);
  useEffect(() => {
    for (const p of Object.values(live.data ?? {})) if (p && !p.deleted_at) refreshLine(p);
  }, [live.data]);
  return live.data ?? {};
}

function Line({ line, error, live }: { line: CartLine; error?: string; live?: Product | null }) {
  const [qty, setQty] = useState(String(line.quantity));
  useEffect(() => setQty(String(line.quantity)), [line.quantity]);
  const warn = live === null || live?.deleted_at ? 'This product is no longer sold. Remove it to check out.' : live && live.stock < line.quantity ? (live.stock === 0 ? 'Out of stock right now.' : `Only ${live.stock} left in stock.`) : undefined;
  const errId = `line-${line.product_id}-err`;
  const commit = () => {
    const n = Number(qty);
    if (Number.isInteger(n) && n >= 1 && n <= MAX_QTY) setQuantity(line.product_id, n);
    else setQty(String(line.quantity));
  };
  return (
    <tr class={error ? 'line-error' : undefined}>
      <td>
        <a href={href(['products', line.product_id])}>{line.name}</a>
        {(error || warn) && (
          <p class="field-error" id={errId}>{error ?? warn}</p>
        )}
      </td>
      <td class="num"><Money cents={line.price_cents} /></td>
      <td>
        <label class="visually-hidden" for={`qty-${line.product_id}`}>Quantity of {line.name}</label>
        <input
          id={`qty-${line.product_id}`}
          class="qty"
          type="number"
          min={1}
          max={MAX_QTY}
          step={1}
          inputMode="numeric"
          value={qty}
          aria-invalid={error ? true : undefined}
          aria-describedby={error || warn ? errId : undefined}
          onInput={(e) => setQty(e.currentTarget.value)}
          onChange={commit}
        />
      </td>
      <td class="num"><Money cents={line.price_cents * line.quantity} /></td>
      <td>
        <button type="button" class="secondary small" onClick={() => { removeLine(line.product_id); announce(`Removed ${line.name} from your cart.`); }}>
          Remove<span class="visually-hidden"> {line.name}</span>
        </button>
      </td>
    </tr>
  );
}

function OrderComplete({ done }: { done: Done }) {
  const { sale } = done;
  const pending = sale.status === 'pending';
  return (
    <>
      <h1>{pending ? 'Order received' : 'Order complete'}</h1>
      {pending ? (
        <Notice kind="info">Your order is being processed. It will appear in your orders when it completes.</Notice>
      ) : (
        <Notice kind="ok">Thank you! Your order is complete.</Notice>
      )}
      <dl class="facts">
        <dt>Order</dt><dd><a href={href(['orders', sale.id])}>{sale.id}</a></dd>
        <dt>Status</dt><dd>{SALE_STATUS[sale.status] ?? sale.status}</dd>
        <dt>Total paid</dt><dd><Money cents={sale.total_cents} /></dd>
        {done.balance !== undefined && (<><dt>Wallet balance</dt><dd data-testid="wallet-balance"><Money cents={done.balance} /></dd></>)}
      </dl>
      <SaleLines sale={sale} />
      <p><a href="#/orders">See all your orders</a> · <a href="#/">Keep shopping</a></p>
    </>
  );
}
