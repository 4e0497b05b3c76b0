// "Recommended for you": ids from the recommender, details from the catalogue.
import { api, seg } from '../api';
import { useAsync } from '../hooks';
import { productById } from '../products';
import type { Product, Recommendations } from '../types';
import { ErrorBox, Loading } from '../ui';
import { ProductCard } from './ProductCard';

async function load(customerId: string): Promise<{ source: string; products: Product[] }> {
  const rec = await api.get<Recommendations>(`/recommendations/${seg(customerId)}`, { limit: 8 });
  const found = await Promise.all(rec.items.map((i) => productById(i.product_id).catch(() => null)));
  return { source: rec.source, products: found.filter((p): p is Product => !!p && !p.deleted_at) };
}

export function Recommended({ customerId }: { customerId: string }) {
  const rec = useAsync(() => load(customerId), [customerId]);
  return (
    <section class="recommended" aria-labelledby="rec-h">
      <h2 id="rec-h">Recommended for you</h2>
      {rec.loading && !rec.data && <Loading label="Finding products you may like…" />}
      <ErrorBox error={rec.error} onRetry={rec.reload} />
      {rec.data && (
        <>
          {rec.data.source === 'popular' && <p class="muted">Popular with other customers right now.</p>}
          {rec.data.products.length === 0 ? (
            <p class="empty">No recommendations yet. Buy or review something and we will learn what you like.</p>
          ) : (
            <ul class="grid" aria-label="Recommended products">
              {rec.data.products.map((p) => (
                <li key={p.id}><ProductCard product={p} /></li>
              ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
