// The product list for admins: search by name or category, paged.
import { useState } from 'preact/hooks';
import { api } from '../api';
import { href, navigate, useAsync, useCursor, useRoute, useTitle } from '../hooks';
import type { Page, Product } from '../types';
import { Empty, ErrorBox, Field, Loading, Money, Pager } from '../ui';

export function ProductsView() {
  useTitle('Products', 'Shop admin');
  const { params } = useRoute();
  const q = params.get('q') ?? '';
  const category = params.get('category') ?? '';
  const pager = useCursor(`${q}|${category}`);
  const list = useAsync(
    () => api.get<Page<Product>>('/products', { q: q.trim(), category: category.trim(), limit: 20, cursor: pager.cursor }),
    [q, category, pager.cursor],
  );
  const [qText, setQ] = useState(q);
  const [catText, setCat] = useState(category);

  return (
    <>
      <h1>Products</h1>
      <p><a class="button" href="#/products/new">New product</a></p>
      <form class="filters" role="search" aria-label="Search products" onSubmit={(e) => { e.preventDefault(); navigate(href(['products'], { q: qText.trim() || undefined, category: catText.trim() || undefined })); }}>
        <Field label="Name contains" type="search" name="q" value={qText} onValue={setQ} maxLength={100} />
        <Field label="Category" name="category" value={catText} onValue={setCat} maxLength={50} />
        <div class="actions"><button type="submit">Search</button></div>
      </form>
      {list.loading && <Loading label="Loading products…" />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {list.data && !list.loading && (list.data.items.length === 0 ? (
        <Empty>No products found.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Products</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Category</th>
                <th scope="col" class="num">Price</th>
                <th scope="col" class="num">Stock</th>
                <th scope="col" class="num">Version</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((p) => (
                <tr key={p.id}>
                  <td><a href={href(['products', p.id])}>{p.name}</a></td>
                  <td>{p.category}</td>
                  <td class="num"><Money cents={p.price_cents} /></td>
                  <td class="num">{p.stock}</td>
                  <td class="num">{p.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <Pager page={pager.page} nextCursor={list.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Product pages" />
    </>
  );
}
