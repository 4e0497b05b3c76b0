// A sale's lines and refunds, as the storefront's order history and the admin console show them.
import { href } from './hooks';
import { productName, useProducts } from './products';
import type { Refund, Sale, SaleStatus } from './types';
import { DateTime, Money } from './ui';

export const SALE_STATUS: Record<SaleStatus, string> = {
  pending: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  partially_refunded: 'Partly refunded',
  refunded: 'Refunded',
};

/** Product links go to the storefront page (`/` from the admin console). */
export function SaleLines({ sale, shopLinks = true }: { sale: Sale; shopLinks?: boolean }) {
  const products = useProducts(sale.items.map((l) => l.product_id));
  const hasRefunds = sale.items.some((l) => (l.refunded_quantity ?? 0) > 0);
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Items of order {sale.id}</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col" class="num">Qty</th>
            <th scope="col" class="num">Unit price</th>
            <th scope="col" class="num">Line total</th>
            {hasRefunds && <th scope="col" class="num">Refunded</th>}
          </tr>
        </thead>
        <tbody>
          {sale.items.map((l) => (
            <tr key={l.product_id}>
              <td>
                <a href={(shopLinks ? '' : '/') + href(['products', l.product_id])}>{productName(products[l.product_id], l.product_id)}</a>
              </td>
              <td class="num">{l.quantity}</td>
              <td class="num"><Money cents={l.unit_price_cents} /></td>
              <td class="num"><Money cents={l.line_total_cents} /></td>
              {hasRefunds && <td class="num">{l.refunded_quantity ?? 0}</td>}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={3}>Total</th>
            <td class="num"><strong><Money cents={sale.total_cents} /></strong></td>
            {hasRefunds && <td />}
          </tr>
          {sale.refunded_cents > 0 && (
            <tr>
              <th scope="row" colSpan={3}>Refunded</th>
              <td class="num"><Money cents={sale.refunded_cents} /></td>
              {hasRefunds && <td />}
            </tr>
          )}
        </tfoot>
      </table>
    </div>
  );
}

export function RefundsList({ refunds }: { refunds: Refund[] }) {
  const products = useProducts(refunds.flatMap((r) => r.items.map((i) => i.product_id)));
  if (!refunds.length) return null;
  return (
    <div class="refunds">
      <h3>Refunds</h3>
      <ul>
        {refunds.map((r) => (
          <li key={r.id}>
            <Money cents={r.amount_cents} /> on <DateTime iso={r.created_at} />
            {r.status === 'pending' && <span class="tag status-pending">On its way</span>}
            {r.restocked && <span class="tag">Restocked</span>}
            <span class="muted"> — {r.reason}</span>
            <ul class="small">
              {r.items.map((i) => (
                <li key={i.product_id}>
                  {i.quantity} × {productName(products[i.product_id], i.product_id)} (<Money cents={i.line_total_cents} />)
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </div>
  );
}
