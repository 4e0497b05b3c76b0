// Log in and register. After either, go back where the visitor was headed (?next=).
import { useState } from 'preact/hooks';
import { ApiProblem, api } from '../api';
import { href, navigate, useSubmit, useTitle } from '../hooks';
import { describe, fieldErrors } from '../problems';
import { setSession } from '../session';
import type { LoginAnswer } from '../types';
import { Field, announce } from '../ui';

/** Only in-app hash paths, so ?next= cannot send anyone elsewhere. */
function goNext(next: string | null): void {
  navigate(next && next.startsWith('/') && !next.startsWith('//') ? `#${next}` : '#/');
}

async function logIn(email: string, password: string): Promise<void> {
  setSession(await api.post<LoginAnswer>('/login', { email, password }));
}

function loginMessage(e: unknown): string {
  if (e instanceof ApiProblem && e.status === 401) return 'The email or password is not right.';
  return describe(e);
}

export function LoginView({ next }: { next: string | null }) {
  useTitle('Log in', 'Shop');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

  const submit = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      await logIn(email.trim(), password);
      announce('You are signed in.');
      goNext(next);
    });
  };

  return (
    <>
      <h1>Log in</h1>
      <form class="card narrow" onSubmit={submit} aria-label="Log in">
        <Field label="Email" type="email" name="email" value={email} onValue={setEmail} required autoComplete="username" />
        <Field label="Password" type="password" name="password" value={password} onValue={setPassword} required autoComplete="current-password" />
        {error != null && <p class="field-error" role="alert">{loginMessage(error)}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Logging in…' : 'Log in'}</button>
        <p>New here? <a href={href(['register'], { next: next ?? undefined })}>Create an account</a></p>
      </form>
    </>
  );
}

export function RegisterView({ next }: { next: string | null }) {
  useTitle('Register', 'Shop');
  const [form, setForm] = useState({ full_name: '', email: '', password: '', username: '' });
  const { busy, error, run } = useSubmit();
  const errs = fieldErrors(error);
  const taken = error instanceof ApiProblem && error.status === 409;
  const set = (k: keyof typeof form) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  const submit = async (e: Event) => {
    e.preventDefault();
    await run(async () => {
      const body: Record<string, string> = { full_name: form.full_name.trim(), email: form.email.trim(), password: form.password };
      if (form.username.trim()) body.username = form.username.trim();
      await api.post('/register', body);
      await logIn(body.email, form.password);
      announce('Welcome! Your account is ready.');
      goNext(next);
    });
  };

  return (
    <>
      <h1>Register</h1>
      <form class="card narrow" onSubmit={submit} aria-label="Register">
        <Field label="Full name" name="full_name" value={form.full_name} onValue={set('full_name')} required maxLength={100} autoComplete="name" error={errs.full_name} />
        <Field label="Email" type="email" name="email" value={form.email} onValue={set('email')} required autoComplete="email" error={taken ? 'An account with this email already exists. Log in instead.' : errs.email} />
        <Field label="Password" type="password" name="password" value={form.password} onValue={set('password')} required minLength={8} maxLength={128} autoComplete="new-password" hint="8 to 128 characters." error={errs.password} />
        <Field label="Username (optional)" name="username" value={form.username} onValue={set('username')} maxLength={30} autoComplete="nickname" hint="3 to 30 letters, digits, dots, dashes or underscores." error={errs.username} />
        {error != null && !taken && <p class="field-error" role="alert">{describe(error)}</p>}
        <button type="submit" disabled={busy}>{busy ? 'Creating account…' : 'Register'}</button>
        <p>Already have an account? <a href={href(['login'], { next: next ?? undefined })}>Log in</a></p>
      </form>
    </>
  );
}
