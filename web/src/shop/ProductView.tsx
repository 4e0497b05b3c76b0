// One product: details, add to cart, approved reviews with their summary, one's own
// review, and "Customers also bought".
import { useState } from 'preact/hooks';
import { api, seg } from '../api';
import { href, useAsync, useSession, useTitle } from '../hooks';
import { productById } from '../products';
import type { Product, Similar } from '../types';
import { ErrorBox, Field, Loading, Money } from '../ui';
import { clampQty, MAX_QTY } from './cart';
import { MyReview } from './MyReview';
import { addAndAnnounce, stockText } from './ProductCard';
import { ProductReviews } from './ProductReviews';

export function ProductView({ id }: { id: string }) {
  const product = useAsync(() => api.get<Product>(`/products/${seg(id)}`), [id]);
  const session = useSession();
  const p = product.data;
  useTitle(p?.name ?? 'Product', 'Shop');
  const [reviewsTick, setReviewsTick] = useState(0);

  return (
    <>
      <p class="breadcrumb">
        <a href="#/">Products</a>
        {p && (
          <>
            {' › '}
            <a href={href([], { category: p.category })}>{p.category}</a>
          </>
        )}
      </p>
      <h1>{p?.name ?? (product.error ? 'Product not available' : 'Product')}</h1>
      {product.loading && !p && <Loading label="Loading product…" />}
      <ErrorBox error={product.error} onRetry={product.reload} />
      {p && (
        <>
          <section class="product-detail" aria-label="Product details">
            <p class="price big"><Money cents={p.price_cents} /></p>
            <p class={p.stock > 0 && !p.deleted_at ? 'stock' : 'stock out'}>{stockText(p)}</p>
            {p.description && <p class="description">{p.description}</p>}
            {!p.deleted_at && p.stock > 0 && <BuyBox product={p} />}
          </section>
          <ProductReviews productId={p.id} refresh={reviewsTick} />
          {session?.role === 'customer' && !p.deleted_at && (
            <MyReview productId={p.id} customerId={session.customer_id} onChange={() => setReviewsTick((t) => t + 1)} />
          )}
          {!session && (
            <p><a href={href(['login'], { next: `/products/${p.id}` })}>Log in</a> to review this product.</p>
          )}
          {!p.deleted_at && <AlsoBought productId={p.id} />}
        </>
      )}
    </>
  );
}

function BuyBox({ product }: { product: Product }) {
  const [qty, setQty] = useState('1');
  const n = Number(qty);
  const error = !Number.isInteger(n) || n < 1 || n > MAX_QTY ? `Enter a whole number from 1 to ${MAX_QTY}.` : n > product.stock ? `Only ${product.stock} left in stock.` : undefined;
  return (
    <form class="buy-box" onSubmit={(e) => { e.preventDefault(); if (!error) addAndAnnounce(product, clampQty(n)); }}>
      <Field label="Quantity" type="number" name="quantity" value={qty} onValue={setQty} min={1} max={MAX_QTY} step={1} inputMode="numeric" error={error} />
      <button type="submit" disabled={!!error}>Add to cart</button>
    </form>
  );
}

async function loadSimilar(id: string): Promise<Product[]> {
  const sim = await api.get<Similar>(`/products/${seg(id)}/similar`, { limit: 6 });
  const found = await Promise.all(sim.items.map((i) => productById(i.product_id).catch(() => null)));
  return found.filter((p): p is Product => !!p && !p.deleted_at);
}

function AlsoBought({ productId }: { productId: string }) {
  const similar = useAsync(() => loadSimilar(productId), [productId]);
  return (
    <section aria-labelledby="also-h">
      <h2 id="also-h">Customers also bought</h2>
      {similar.loading && <Loading label="Loading related products…" />}
      <ErrorBox error={similar.error} onRetry={similar.reload} />
      {similar.data && !similar.loading && (
        similar.data.length === 0 ? (
          <p class="empty">Nothing to suggest yet.</p>
        ) : (
          <ul class="link-list">
            {similar.data.map((p) => (
              <li key={p.id}>
                <a href={href(['products', p.id])}>{p.name}</a> <Money cents={p.price_cents} />
              </li>
            ))}
          </ul>
        )
      )}
    </section>
  );
}
