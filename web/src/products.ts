// Product details by id, fetched once per page load: orders, recommendations and
// "customers also bought" name products only by id.
import { useEffect, useState } from 'preact/hooks';
import { ApiProblem, api, seg } from './api';
import type { Product } from './types';

const cache = new Map<string, Promise<Product | null>>();

/** The product, or null when it does not exist. Errors other than 404 are not cached. */
export function productById(id: string): Promise<Product | null> {
  let p = cache.get(id);
  if (!p) {
    p = api.get<Product>(`/products/${seg(id)}`).catch((e) => {
      if (e instanceof ApiProblem && e.status === 404) return null;
      cache.delete(id);
      throw e;
    });
    cache.set(id, p);
  }
  return p;
}

/** Remember a product we already hold (from a list), so details need no request. */
export function rememberProduct(p: Product): void {
  cache.set(p.id, Promise.resolve(p));
}

/** Products by id as they arrive: undefined while loading, null if unknown or failed. */
export function useProducts(ids: string[]): Record<string, Product | null | undefined> {
  const [found, setFound] = useState<Record<string, Product | null>>({});
  const key = ids.join(',');
  useEffect(() => {
    let live = true;
    for (const id of new Set(ids)) {
      productById(id).then(
        (p) => live && setFound((f) => ({ ...f, [id]: p })),
        () => live && setFound((f) => ({ ...f, [id]: null })),
      );
    }
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  return found;
}

export function productName(p: Product | null | undefined, id: string): string {
  if (p === undefined) return 'Loading…';
  if (p === null) return `Unknown product ${id}`;
  return p.name;
}
