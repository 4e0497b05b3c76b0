// One product in a list: name (link), price, stock, and "Add to cart".
import { useId } from 'preact/hooks';
import { href } from '../hooks';
import type { Product } from '../types';
import { Money, announce } from '../ui';
import { addToCart } from './cart';

export function stockText(p: Product): string {
  if (p.deleted_at) return 'No longer sold';
  if (p.stock <= 0) return 'Out of stock';
  if (p.stock <= 5) return `Only ${p.stock} left`;
  return 'In stock';
}

/** Adds one unit and says what happened in the live region. */
export function addAndAnnounce(p: Product, quantity = 1): void {
  const refused = addToCart(p, quantity);
  announce(refused ?? `Added ${quantity} × ${p.name} to your cart.`);
}

export function ProductCard({ product: p, note }: { product: Product; note?: string }) {
  const nameId = useId();
  const soldOut = p.stock <= 0 || !!p.deleted_at;
  return (
    <article class="card product-card">
      <h3 id={nameId}>
        <a href={href(['products', p.id])}>{p.name}</a>
      </h3>
      <p class="muted">{p.category}</p>
      <p class="price"><Money cents={p.price_cents} /></p>
      <p class={soldOut ? 'stock out' : 'stock'}>{stockText(p)}</p>
      {note && <p class="muted small">{note}</p>}
      <button type="button" disabled={soldOut} aria-describedby={nameId} onClick={() => addAndAnnounce(p)}>
        Add to cart
      </button>
    </article>
  );
}
