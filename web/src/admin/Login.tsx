// Admin sign-in. The login answer names the role: a customer's login is ended at once.
import { useState } from 'preact/hooks';
import { ApiProblem, api } from '../api';
import { useTitle } from '../hooks';
import { describe } from '../problems';
import { logout, setSession } from '../session';
import type { LoginAnswer } from '../types';
import { Field, announce } from '../ui';

export function AdminLogin() {
  useTitle('Sign in', 'Shop admin');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const login = await api.post<LoginAnswer>('/login', { email: email.trim(), password });
      setSession(login);
      if (login.role !== 'admin') {
        await logout();
        setMessage('This console is for admins only. Your account is a customer account: use the storefront instead.');
        return;
      }
      announce('Signed in.');
    } catch (err) {
      setMessage(err instanceof ApiProblem && err.status === 401 ? 'The email or password is not right.' : describe(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Admin sign-in</h1>
      <form class="card narrow" onSubmit={submit} aria-label="Admin sign-in">
        <Field label="Email" type="email" name="email" value={email} onValue={setEmail} required autoComplete="username" />
        <Field label="Password" type="password" name="password" value={password} onValue={setPassword} required autoComplete="current-password" />
        {message && <p class="field-error" role="alert">{message}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Signing in…' : 'Log in'}</button>
      </form>
    </>
  );
}
