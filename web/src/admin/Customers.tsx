// A customer by id: profile, role (PATCH /profile/{id} {role}, admins only), and their sales.
import { useEffect, useState } from 'preact/hooks';
import { api, seg } from '../api';
import { href, navigate, useAsync, useCursor, useSession, useSubmit, useTitle } from '../hooks';
import { describe } from '../problems';
import { SALE_STATUS } from '../sale';
import type { Customer, Page, Role, Sale } from '../types';
import { DateTime, Empty, ErrorBox, Field, Loading, Money, Pager, SelectField, announce } from '../ui';

export function CustomersLookup() {
  useTitle('Customers', 'Shop admin');
  const [id, setId] = useState('');
  return (
    <>
      <h1>Customers</h1>
      <form class="card inline-form" aria-label="Find a customer" onSubmit={(e) => { e.preventDefault(); if (id.trim()) navigate(href(['customers', id.trim()])); }}>
        <Field label="Customer id" name="customer_id" value={id} onValue={setId} required />
        <button type="submit">Find customer</button>
      </form>
      <p class="muted">The API looks customers up by id only; ids appear on sales and reviews.</p>
    </>
  );
}

export function CustomerView({ id }: { id: string }) {
  useTitle(`Customer ${id}`, 'Shop admin');
  const profile = useAsync(() => api.get<Customer>(`/profile/${seg(id)}`), [id]);
  const c = profile.data;
  return (
    <>
      <p class="breadcrumb"><a href="#/customers">Customers</a></p>
      <h1>{c ? c.full_name : `Customer ${id}`}</h1>
      {profile.loading && !c && <Loading label="Loading the customer…" />}
      <ErrorBox error={profile.error} onRetry={profile.reload} />
      {c && (
        <>
          <dl class="facts">
            <dt>Id</dt><dd>{c.id}</dd>
            <dt>Email</dt><dd>{c.email}</dd>
            {c.username && (<><dt>Username</dt><dd>{c.username}</dd></>)}
            {c.address && (<><dt>Address</dt><dd>{c.address}</dd></>)}
            {c.phone && (<><dt>Phone</dt><dd>{c.phone}</dd></>)}
            <dt>Role</dt><dd>{c.role}</dd>
            <dt>Wallet</dt><dd><Money cents={c.wallet_balance_cents} /></dd>
            <dt>Joined</dt><dd><DateTime iso={c.created_at} /></dd>
          </dl>
          <RoleForm customer={c} onChanged={profile.set} />
          <CustomerSales customerId={c.id} />
        </>
      )}
    </>
  );
}

function RoleForm({ customer, onChanged }: { customer: Customer; onChanged: (c: Customer) => void }) {
  const session = useSession();
  const [role, setRole] = useState<Role>(customer.role);
  const { busy, error, run } = useSubmit();
  useEffect(() => setRole(customer.role), [customer.role]);
  const self = session?.customer_id === customer.id;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (role === customer.role) return;
    await run(async () => {
      const updated = await api.patch<Customer>(`/profile/${seg(customer.id)}`, { role });
      onChanged(updated);
      announce(`Role changed to ${updated.role}.`);
    });
  };

  return (
    <form class="card inline-form" onSubmit={submit}>
      <SelectField label="Role" name="role" value={role} onValue={(v) => setRole(v as Role)} options={[['customer', 'Customer'], ['admin', 'Admin']]} />
      <button type="submit" disabled={busy || role === customer.role}>{busy ? 'Saving…' : 'Change role'}</button>
      <p class="hint">Takes effect at once and ends all of the customer's logins{self ? '. This is your own account: demoting yourself signs you out of this console' : ''}.</p>
      {error != null && <p class="field-error" role="alert">{describe(error)}</p>}
    </form>
  );
}

function CustomerSales({ customerId }: { customerId: string }) {
  const pager = useCursor(customerId);
  const page = useAsync(() => api.get<Page<Sale>>(`/sales/history/${seg(customerId)}`, { limit: 20, cursor: pager.cursor }), [customerId, pager.cursor]);
  return (
    <section aria-labelledby="sales-h">
      <h2 id="sales-h">Sales</h2>
      {page.loading && <Loading label="Loading sales…" />}
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.data && !page.loading && (page.data.items.length === 0 ? (
        <Empty>No sales.</Empty>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Sales of this customer</caption>
            <thead><tr><th scope="col">Sale</th><th scope="col">Placed</th><th scope="col">Status</th><th scope="col" class="num">Total</th><th scope="col" class="num">Refunded</th></tr></thead>
            <tbody>
              {page.data.items.map((s) => (
                <tr key={s.id}>
                  <td><a href={href(['sales', s.id])}>{s.id}</a></td>
                  <td><DateTime iso={s.created_at} /></td>
                  <td>{SALE_STATUS[s.status] ?? s.status}</td>
                  <td class="num"><Money cents={s.total_cents} /></td>
                  <td class="num"><Money cents={s.refunded_cents} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      <Pager page={pager.page} nextCursor={page.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Sales pages" />
    </section>
  );
}
