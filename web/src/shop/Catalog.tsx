// Browse the catalogue: category, name search, price range, in-stock only; cursor pages.
// The filters live in the hash (#/?category=books&q=rust) so Back and links keep them.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { href, navigate, useAsync, useCursor } from '../hooks';
import { rememberProduct } from '../products';
import type { Page, Product } from '../types';
import { Checkbox, Empty, ErrorBox, Field, Loading, Pager, SelectField, centsToInput, parseMoney } from '../ui';
import { ProductCard } from './ProductCard';

const PAGE_SIZE = 12;

// No route lists categories: gather them from the first 100 products, once per page load.
let categories: Promise<string[]> | null = null;
function knownCategories(): Promise<string[]> {
  categories ??= api
    .get<Page<Product>>('/products', { limit: 100 })
    .then((page) => [...new Set(page.items.map((p) => p.category))].sort())
    .catch(() => {
      categories = null;
      return [];
    });
  return categories;
}

export function Catalog({ params }: { params: URLSearchParams }) {
  const filters = {
    category: params.get('category') ?? '',
    q: params.get('q') ?? '',
    min: params.get('min_price_cents') ?? '',
    max: params.get('max_price_cents') ?? '',
    inStock: params.get('in_stock') === 'true',
  };
  const filterKey = JSON.stringify(filters);
  const pager = useCursor(filterKey);
  const list = useAsync(
    () =>
      api.get<Page<Product>>('/products', {
        category: filters.category,
        q: filters.q.trim(),
        min_price_cents: filters.min,
        max_price_cents: filters.max,
        in_stock: filters.inStock || undefined,
        limit: PAGE_SIZE,
        cursor: pager.cursor,
      }),
    [filterKey, pager.cursor],
  );
  useEffect(() => list.data?.items.forEach(rememberProduct), [list.data]);

  return (
    <section aria-labelledby="catalog-h">
      <h2 id="catalog-h" class="visually-hidden">Catalogue</h2>
      <Filters key={filterKey} initial={filters} />
      {list.loading && <Loading label="Loading products…" />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && !list.loading && (
        list.data.items.length === 0 ? (
          <Empty>No products match these filters.</Empty>
        ) : (
          <ul class="grid" aria-label="Products">
            {list.data.items.map((p) => (
              <li key={p.id}><ProductCard product={p} /></li>
            ))}
          </ul>
        )
      )}
      <Pager page={pager.page} nextCursor={list.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Product pages" />
    </section>
  );
}

interface FilterValues {
  category: string;
  q: string;
  min: string;
  max: string;
  inStock: boolean;
}

function Filters({ initial }: { initial: FilterValues }) {
  const [q, setQ] = useState(initial.q);
  const [category, setCategory] = useState(initial.category);
  const [min, setMin] = useState(initial.min ? centsToInput(Number(initial.min)) : '');
  const [max, setMax] = useState(initial.max ? centsToInput(Number(initial.max)) : '');
  const [inStock, setInStock] = useState(initial.inStock);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const cats = useAsync(knownCategories, []);
  const options: [string, string][] = [['', 'All categories'], ...(cats.data ?? []).map((c): [string, string] => [c, c])];
  if (category && !options.some(([v]) => v === category)) options.push([category, category]);

  const apply = (e: Event) => {
    e.preventDefault();
    const minC = min.trim() ? parseMoney(min) : undefined;
    const maxC = max.trim() ? parseMoney(max) : undefined;
    const errs: Record<string, string> = {};
    if (minC === null) errs.min = 'Enter an amount like 10 or 9.99.';
    if (maxC === null) errs.max = 'Enter an amount like 10 or 9.99.';
    if (minC != null && maxC != null && minC > maxC) errs.max = 'Must be at least the minimum price.';
    setErrors(errs);
    if (Object.keys(errs).length) return;
    navigate(
      href([], {
        q: q.trim() || undefined,
        category: category || undefined,
        min_price_cents: minC == null ? undefined : String(minC),
        max_price_cents: maxC == null ? undefined : String(maxC),
        in_stock: inStock ? 'true' : undefined,
      }),
    );
  };

  return (
    <form class="filters" role="search" aria-label="Filter products" onSubmit={apply}>
      <Field label="Search" type="search" name="q" value={q} onValue={setQ} maxLength={100} />
      <SelectField label="Category" name="category" value={category} onValue={setCategory} options={options} />
      <Field label="Min price ($)" name="min" value={min} onValue={setMin} inputMode="decimal" error={errors.min} />
      <Field label="Max price ($)" name="max" value={max} onValue={setMax} inputMode="decimal" error={errors.max} />
      <Checkbox label="In stock only" checked={inStock} onChecked={setInStock} />
      <div class="actions">
        <button type="submit">Apply filters</button>
        <a class="button secondary" href="#/">Clear</a>
      </div>
    </form>
  );
}
