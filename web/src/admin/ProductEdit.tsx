// Create, edit, restock and delete a product. Edits and deletes name the version they were
// made against (If-Match); when someone else changed the product meanwhile, the admin sees
// their values next to their own change and can re-apply it on top.
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiProblem, api, call, seg } from '../api';
import { href, navigate, useSubmit, useTitle } from '../hooks';
import { describe, fieldErrors, isStale } from '../problems';
import type { Product } from '../types';
import { DateTime, ErrorBox, Field, Loading, Money, Notice, announce, centsToInput, formatMoney, parseMoney } from '../ui';

interface Draft {
  name: string;
  description: string;
  category: string;
  price: string;
}

type Patch = Partial<Pick<Product, 'name' | 'description' | 'category' | 'price_cents'>>;

const LABELS: Record<keyof Patch, string> = { name: 'Name', description: 'Description', category: 'Category', price_cents: 'Price' };

const draftOf = (p: Product): Draft => ({ name: p.name, description: p.description ?? '', category: p.category, price: centsToInput(p.price_cents) });

/** The fields of `draft` that differ from `base`, as the update body; errors by field. */
function diff(base: Product, d: Draft): { patch: Patch; errors: Record<string, string> } {
  const patch: Patch = {};
  const errors: Record<string, string> = {};
  if (!d.name.trim()) errors.name = 'A name is required.';
  if (!d.category.trim()) errors.category = 'A category is required.';
  const price = parseMoney(d.price);
  if (price === null) errors.price_cents = 'Enter a price like 12 or 12.99.';
  if (d.name.trim() !== base.name) patch.name = d.name.trim();
  if (d.description.trim() !== (base.description ?? '').trim()) patch.description = d.description.trim();
  if (d.category.trim().toLowerCase() !== base.category) patch.category = d.category.trim();
  if (price !== null && price !== base.price_cents) patch.price_cents = price;
  return { patch, errors };
}

/** The current values with the admin's own changes on top: re-applying sends only those. */
function rebase(current: Product, mine: Patch): Draft {
  const d = draftOf(current);
  return {
    name: mine.name ?? d.name,
    description: mine.description ?? d.description,
    category: mine.category ?? d.category,
    price: mine.price_cents === undefined ? d.price : centsToInput(mine.price_cents),
  };
}

const show = (k: keyof Patch, v: unknown) => (k === 'price_cents' ? formatMoney(v as number) : String(v ?? ''));

function DraftFields({ draft, set, errors }: { draft: Draft; set: (d: Draft) => void; errors: Record<string, string> }) {
  return (
    <>
      <Field label="Name" name="name" value={draft.name} onValue={(name) => set({ ...draft, name })} required maxLength={200} error={errors.name} />
      <Field label="Description" name="description" multiline value={draft.description} onValue={(description) => set({ ...draft, description })} maxLength={5000} error={errors.description} />
      <Field label="Category" name="category" value={draft.category} onValue={(category) => set({ ...draft, category })} required maxLength={50} hint="Stored in lower case." error={errors.category} />
      <Field label="Price ($)" name="price" value={draft.price} onValue={(price) => set({ ...draft, price })} required inputMode="decimal" error={errors.price_cents} />
    </>
  );
}

export function ProductEditor({ id }: { id: string }) {
  const [product, setProduct] = useState<Product | null>(null);
  const [etag, setEtag] = useState('');
  const [draft, setDraft] = useState<Draft | null>(null);
  const [loadError, setLoadError] = useState<unknown>(null);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<Record<string, string>>({});
  const [conflict, setConflict] = useState<Patch | null>(null);
  const [busy, setBusy] = useState(false);
  useTitle(product ? `Edit ${product.name}` : 'Edit product', 'Shop admin');

  /** Reads the product as it is now; the ETag is what the next write names. */
  const load = async (): Promise<Product> => {
    const res = await call<Product>('GET', `/products/${seg(id)}`);
    setProduct(res.data);
    setEtag(res.etag ?? `"${res.data.version}"`);
    return res.data;
  };
  useEffect(() => {
    setLoadError(null);
    load().then((p) => setDraft(draftOf(p)), setLoadError);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id]);

  // What the form was made from and holds now, as of the latest render (read after awaits).
  const latest = useRef({ product, draft });
  latest.current = { product, draft };

  /** A newer product (after a restock, or read again after a refused delete): the form keeps
   *  only the admin's own edits, on top of the new values, so a later save cannot put back
   *  fields someone else changed meanwhile. */
  const accept = (res: { data: Product; etag: string | null }) => {
    const { product: base, draft: edited } = latest.current;
    if (base && edited) setDraft(rebase(res.data, diff(base, edited).patch));
    setProduct(res.data);
    setEtag(res.etag ?? `"${res.data.version}"`);
  };
  const reload = async () => accept(await call<Product>('GET', `/products/${seg(id)}`));

  const save = async (e?: Event) => {
    e?.preventDefault();
    if (!product || !draft) return;
    const { patch, errors } = diff(product, draft);
    setLocal(errors);
    if (Object.keys(errors).length) return;
    if (!Object.keys(patch).length) {
      announce('Nothing changed: there is nothing to save.');
      setConflict(null);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const res = await call<Product>('POST', `/products/${seg(id)}/update`, { body: patch, ifMatch: etag });
      accept(res);
      setDraft(draftOf(res.data));
      setConflict(null);
      announce('Product saved.');
    } catch (err) {
      if (isStale(err)) {
        // Keep the admin's changes (only those: untouched fields take the new values);
        // show what the other change made, then let them re-apply.
        try {
          setDraft(rebase(await load(), patch));
        } catch (e2) {
          setError(e2);
          return;
        }
        setConflict(patch);
        announce('This product was changed by someone else since you opened it.');
      } else {
        setError(err);
      }
    } finally {
      setBusy(false);
    }
  };

  if (loadError) {
    return (
      <>
        <h1>Edit product</h1>
        <ErrorBox error={loadError} />
        <p><a href="#/products">Back to products</a></p>
      </>
    );
  }
  if (!product || !draft) {
    return (
      <>
        <h1>Edit product</h1>
        <Loading label="Loading product…" />
      </>
    );
  }

  const errors = { ...fieldErrors(error), ...local };
  return (
    <>
      <p class="breadcrumb"><a href="#/products">Products</a></p>
      <h1>Edit {product.name}</h1>
      {product.deleted_at && <Notice kind="warn">This product was deleted on <DateTime iso={product.deleted_at} />.</Notice>}
      <dl class="facts">
        <dt>Id</dt><dd>{product.id}</dd>
        <dt>Version</dt><dd>{product.version}</dd>
        <dt>Stock</dt><dd>{product.stock}</dd>
        <dt>Updated</dt><dd><DateTime iso={product.updated_at} /></dd>
        <dt>Storefront</dt><dd><a href={`/${href(['products', product.id])}`}>View in the shop</a></dd>
      </dl>
      {conflict && <ConflictNotice current={product} mine={conflict} busy={busy} onReapply={() => save()} onDiscard={() => { setDraft(draftOf(product)); setConflict(null); announce('Your changes were discarded.'); }} />}
      <form class="card" onSubmit={save} aria-label="Edit product">
        <h2>Details</h2>
        <DraftFields draft={draft} set={setDraft} errors={errors} />
        {error != null && !isStale(error) && <p class="field-error" role="alert">{describe(error, { thing: 'this product' })}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : 'Save changes'}</button>
      </form>
      <Restock id={id} onDone={accept} />
      <DeleteProduct id={id} etag={etag} onStale={reload} />
    </>
  );
}

function ConflictNotice(props: { current: Product; mine: Patch; busy: boolean; onReapply: () => void; onDiscard: () => void }) {
  const keys = Object.keys(props.mine) as (keyof Patch)[];
  return (
    <div class="notice notice-warn" role="alert">
      <p><strong>This product was changed by someone else since you opened it.</strong> Nothing of yours was saved. Here are their current values and your change:</p>
      <div class="table-wrap">
        <table class="diff">
          <thead><tr><th scope="col">Field</th><th scope="col">Current value</th><th scope="col">Your change</th></tr></thead>
          <tbody>
            {keys.map((k) => (
              <tr key={k} class={props.current[k] !== props.mine[k] ? 'changed' : undefined}>
                <th scope="row">{LABELS[k]}</th>
                <td>{show(k, props.current[k])}</td>
                <td>{show(k, props.mine[k])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div class="actions">
        <button type="button" disabled={props.busy} onClick={props.onReapply}>Re-apply my changes</button>
        <button type="button" class="secondary" onClick={props.onDiscard}>Discard my changes</button>
      </div>
    </div>
  );
}

/** A relative stock change. No If-Match: deltas commute, so another admin's edit cannot be lost. */
function Restock({ id, onDone }: { id: string; onDone: (r: { data: Product; etag: string | null }) => void }) {
  const [delta, setDelta] = useState('');
  const { busy, error, run } = useSubmit();
  const [local, setLocal] = useState<string | undefined>();
  const submit = async (e: Event) => {
    e.preventDefault();
    const n = Number(delta);
    if (!delta.trim() || !Number.isInteger(n) || n === 0) {
      setLocal('Enter a whole number of units, e.g. 10 to add or -2 to remove.');
      return;
    }
    setLocal(undefined);
    await run(async () => {
      const res = await call<Product>('POST', `/products/${seg(id)}/update`, { body: { stock_delta: n } });
      onDone(res);
      setDelta('');
      announce(`Stock is now ${res.data.stock}.`);
    });
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-label="Restock">
      <h2 class="visually-hidden">Restock</h2>
      <Field label="Stock change (units)" name="stock_delta" type="number" step={1} value={delta} onValue={setDelta} hint="Positive to add, negative to remove. Stock never goes below 0." error={local ?? fieldErrors(error).stock_delta} />
      <button type="submit" disabled={busy}>{busy ? 'Updating…' : 'Restock'}</button>
      {error != null && <p class="field-error" role="alert">{describe(error, { thing: 'this product' })}</p>}
    </form>
  );
}

function DeleteProduct({ id, etag, onStale }: { id: string; etag: string; onStale: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const remove = async () => {
    setError(null);
    try {
      await api.del(`/products/${seg(id)}`, { ifMatch: etag });
      announce('Product deleted.');
      navigate('#/products');
    } catch (err) {
      if (isStale(err)) await onStale().catch(() => undefined);
      setError(err);
      setConfirming(false);
    }
  };
  return (
    <section class="card" aria-labelledby="delete-h">
      <h2 id="delete-h">Delete</h2>
      <p>Deleted products disappear from the shop and cannot be bought; past orders and reviews still show them.</p>
      {error != null && (
        <p class="field-error" role="alert">
          {isStale(error) ? 'This product was changed by someone else since you opened it. Review the current values above, then delete again if you still want to.' : describe(error)}
        </p>
      )}
      {confirming ? (
        <div class="actions" role="group" aria-label="Confirm deletion">
          <span>Delete this product?</span>
          <button type="button" class="danger" onClick={remove}>Yes, delete product</button>
          <button type="button" class="secondary" onClick={() => setConfirming(false)}>Cancel</button>
        </div>
      ) : (
        <button type="button" class="secondary danger" onClick={() => setConfirming(true)}>Delete product</button>
      )}
    </section>
  );
}

export function NewProduct() {
  useTitle('New product', 'Shop admin');
  const [draft, setDraft] = useState<Draft>({ name: '', description: '', category: '', price: '' });
  const [stock, setStock] = useState('0');
  const { busy, error, run } = useSubmit();
  const [local, setLocal] = useState<Record<string, string>>({});

  const submit = async (e: Event) => {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const price = parseMoney(draft.price);
    const units = Number(stock);
    if (!draft.name.trim()) errs.name = 'A name is required.';
    if (!draft.category.trim()) errs.category = 'A category is required.';
    if (price === null) errs.price_cents = 'Enter a price like 12 or 12.99.';
    if (!Number.isInteger(units) || units < 0) errs.stock = 'Enter a whole number, 0 or more.';
    setLocal(errs);
    if (Object.keys(errs).length) return;
    await run(async () => {
      const p = await api.post<Product>('/products', { name: draft.name.trim(), description: draft.description.trim(), category: draft.category.trim(), price_cents: price, stock: units });
      announce(`Created ${p.name}.`);
      navigate(href(['products', p.id]));
    });
  };
  const errors = { ...fieldErrors(error), ...local };
  return (
    <>
      <p class="breadcrumb"><a href="#/products">Products</a></p>
      <h1>New product</h1>
      <form class="card" onSubmit={submit} aria-label="New product">
        <DraftFields draft={draft} set={setDraft} errors={errors} />
        <Field label="Initial stock" name="stock" type="number" min={0} step={1} value={stock} onValue={setStock} error={errors.stock} />
        {error != null && !(error instanceof ApiProblem && error.status === 422) && <p class="field-error" role="alert">{describe(error)}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Creating…' : 'Create product'}</button>
      </form>
      <p class="muted small">Prices are in US dollars; <Money cents={1999} /> is entered as 19.99.</p>
    </>
  );
}
