// Order history (newest first, paged) and one order, each with its lines and refunds.
import { api, seg } from '../api';
import { href, useAsync, useCursor, useSession, useTitle } from '../hooks';
import { RefundsList, SALE_STATUS, SaleLines } from '../sale';
import type { Page, Sale } from '../types';
import { DateTime, Empty, ErrorBox, Loading, Money, Pager } from '../ui';
import { SignInFirst } from './Account';

export function OrdersView() {
  useTitle('Your orders', 'Shop');
  const session = useSession();
  const id = session?.customer_id ?? '';
  const pager = useCursor(id);
  const page = useAsync(
    () => (id ? api.get<Page<Sale>>(`/sales/history/${seg(id)}`, { limit: 10, cursor: pager.cursor }) : Promise.resolve(undefined)),
    [id, pager.cursor],
  );
  return (
    <>
      <h1>Your orders</h1>
      {!session && <SignInFirst what="see your orders" next="/orders" />}
      {session && page.loading && <Loading label="Loading your orders…" />}
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.data && !page.loading && (page.data.items.length === 0 ? (
        <Empty>You have no orders yet. <a href="#/">Start shopping</a>.</Empty>
      ) : (
        <ol class="orders" aria-label="Orders">
          {page.data.items.map((s) => (
            <li key={s.id}><OrderCard sale={s} /></li>
          ))}
        </ol>
      ))}
      <Pager page={pager.page} nextCursor={page.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Order pages" />
    </>
  );
}

function OrderCard({ sale }: { sale: Sale }) {
  return (
    <article class="card order" aria-labelledby={`order-${sale.id}`}>
      <h2 id={`order-${sale.id}`} class="h3">
        <a href={href(['orders', sale.id])}>Order of <DateTime iso={sale.created_at} /></a>
      </h2>
      <p>
        <span class={`tag status-${sale.status}`}>{SALE_STATUS[sale.status] ?? sale.status}</span> Total <Money cents={sale.total_cents} />
        {sale.refunded_cents > 0 && (
          <> · Refunded <Money cents={sale.refunded_cents} /></>
        )}
      </p>
      <SaleLines sale={sale} />
      <RefundsList refunds={sale.refunds ?? []} />
    </article>
  );
}

export function OrderView({ id }: { id: string }) {
  useTitle('Order', 'Shop');
  const sale = useAsync(() => api.get<Sale>(`/sales/${seg(id)}`), [id]);
  const s = sale.data;
  return (
    <>
      <p class="breadcrumb"><a href="#/orders">Your orders</a></p>
      <h1>Order {id}</h1>
      {sale.loading && !s && <Loading label="Loading the order…" />}
      <ErrorBox error={sale.error} onRetry={sale.reload} />
      {s && (
        <>
          <dl class="facts">
            <dt>Placed</dt><dd><DateTime iso={s.created_at} /></dd>
            <dt>Status</dt><dd>{SALE_STATUS[s.status] ?? s.status}</dd>
            <dt>Total</dt><dd><Money cents={s.total_cents} /></dd>
            {s.refunded_cents > 0 && (<><dt>Refunded</dt><dd><Money cents={s.refunded_cents} /></dd></>)}
          </dl>
          <SaleLines sale={s} />
          <RefundsList refunds={s.refunds ?? []} />
        </>
      )}
    </>
  );
}
