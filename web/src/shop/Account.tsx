// The signed-in customer's account: profile and wallet, with deposits.
import { useRef, useState } from 'preact/hooks';
import { api, newIdempotencyKey, seg } from '../api';
import { href, useAsync, useSession, useTitle } from '../hooks';
import { describe, fieldErrors } from '../problems';
import type { Customer } from '../types';
import { ErrorBox, Field, Loading, Money, announce, formatMoney, parseMoney } from '../ui';

export function SignInFirst({ what, next }: { what: string; next: string }) {
  return (
    <p>
      Please <a href={href(['login'], { next })}>log in</a> to {what}.
    </p>
  );
}

export function AccountView() {
  useTitle('Your account', 'Shop');
  const session = useSession();
  const id = session?.customer_id ?? '';
  const profile = useAsync(() => (id ? api.get<Customer>(`/profile/${seg(id)}`) : Promise.resolve(undefined)), [id]);
  const c = profile.data;
  return (
    <>
      <h1>Your account</h1>
      {!session && <SignInFirst what="see your account" next="/account" />}
      {session && profile.loading && !c && <Loading label="Loading your account…" />}
      <ErrorBox error={profile.error} onRetry={profile.reload} />
      {c && (
        <>
          <section aria-labelledby="profile-h" class="card">
            <h2 id="profile-h">Profile</h2>
            <dl class="facts">
              <dt>Name</dt><dd>{c.full_name}</dd>
              <dt>Email</dt><dd>{c.email}</dd>
              {c.username && (<><dt>Username</dt><dd>{c.username}</dd></>)}
              {c.address && (<><dt>Address</dt><dd>{c.address}</dd></>)}
              {c.phone && (<><dt>Phone</dt><dd>{c.phone}</dd></>)}
            </dl>
          </section>
          <section aria-labelledby="wallet-h" class="card">
            <h2 id="wallet-h">Wallet</h2>
            <p class="balance">
              Balance: <strong data-testid="wallet-balance"><Money cents={c.wallet_balance_cents} /></strong>
            </p>
            <DepositForm customerId={c.id} onDone={(cents) => profile.set({ ...c, wallet_balance_cents: cents })} />
          </section>
          <p><a href="#/orders">Your orders</a></p>
        </>
      )}
    </>
  );
}

function DepositForm({ customerId, onDone }: { customerId: string; onDone: (balance: number) => void }) {
  const [amount, setAmount] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [local, setLocal] = useState<string | undefined>();
  // One key per intended deposit: a retry after a lost answer must not pay twice.
  const attempt = useRef<{ cents: number; key: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const cents = parseMoney(amount);
    if (cents === null || cents <= 0) {
      setLocal('Enter an amount greater than zero, like 25 or 9.99.');
      return;
    }
    setLocal(undefined);
    if (!attempt.current || attempt.current.cents !== cents) attempt.current = { cents, key: newIdempotencyKey() };
    setBusy(true);
    setError(null);
    try {
      const r = await api.post<{ wallet_balance_cents: number }>(`/profile/${seg(customerId)}/wallet/deposit`, { amount_cents: cents }, { idempotencyKey: attempt.current.key });
      attempt.current = null;
      setAmount('');
      onDone(r.wallet_balance_cents);
      announce(`Deposited ${formatMoney(cents)}. Your balance is now ${formatMoney(r.wallet_balance_cents)}.`);
    } catch (err) {
      // Keep the key only when the outcome is unknown (no answer, 5xx): then a retry is safe.
      const p = err as { status?: number };
      if (!(p.status === 0 || (p.status ?? 0) >= 500)) attempt.current = null;
      setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} class="inline-form">
      <Field label="Amount to deposit ($)" name="amount" value={amount} onValue={setAmount} inputMode="decimal" required error={local ?? fieldErrors(error).amount_cents} />
      <button type="submit" disabled={busy}>{busy ? 'Depositing…' : 'Deposit'}</button>
      {error != null && <p class="field-error" role="alert">{describe(error)}</p>}
    </form>
  );
}
