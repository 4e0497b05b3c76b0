// What the browser tests share: the stack's URL, API calls to set the scene, Debian's
// Chromium, an accessibility check with axe-core, and screenshots for the docs.
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

export const API = process.env.API_URL ?? 'http://127.0.0.1:9000';
const root = fileURLToPath(new URL('../../../', import.meta.url));
export const run = Date.now().toString(36);

/** One call to the API; answers { status, body }. */
export async function call(method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${API}${path}`, {
    method,
    headers: {
      ...(body ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : null };
}

export async function login(email, password) {
  const answer = await call('POST', '/login', { body: { email, password } });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body;
}

export const adminLogin = () =>
  login(process.env.DEMO_ADMIN_EMAIL ?? 'admin@shop.local', process.env.DEMO_ADMIN_PASSWORD ?? 'admin-password-local');

/** A new customer, registered through the API: { email, password, id, token }. */
export async function customer(name, depositCents = 0) {
  const email = `${name}-${run}-${crypto.randomUUID().slice(0, 8)}@shop.test`;
  const password = 'amber-orchard-tramline-1';
  const registered = await call('POST', '/register', { body: { email, password, full_name: `${name} Shopper` } });
  assert.equal(registered.status, 201, JSON.stringify(registered.body));
  const { access_token: token, customer_id: id } = await login(email, password);
  if (depositCents) {
    const deposit = await call('POST', `/profile/${id}/wallet/deposit`, { token, body: { amount_cents: depositCents } });
    assert.equal(deposit.status, 200, JSON.stringify(deposit.body));
  }
  return { email, password, id, token };
}

export async function product(admin, name, priceCents, stock) {
  const body = { name, description: `${name}, for the browser tests.`, category: `browser-${run}`, price_cents: priceCents, stock };
  const created = await call('POST', '/products', { token: admin, body });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  return created.body;
}

export const stockOf = async (id) => (await call('GET', `/products/${id}`)).body.stock;
export const walletOf = async (who) =>
  (await call('GET', `/profile/${who.id}`, { token: who.token })).body.wallet_balance_cents;

/** An access token like `token` but expired an hour ago, signed with the stack's key. */
export function expired(token) {
  const [header, payload] = token.split('.');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
  const now = Math.floor(Date.now() / 1000);
  claims.iat = now - 7200;
  claims.exp = now - 3600;
  const body = `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  const secret = process.env.JWT_SECRET ?? 'local-dev-only-jwt-secret-0123456789abcdef';
  return `${body}.${crypto.createHmac('sha256', secret).update(body).digest('base64url')}`;
}

export async function browser() {
  // Debian's Chromium; root in CI needs --no-sandbox.
  return chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
}

/** A page that fails the test on any script error or any request to another site. */
export async function open(context, path) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (error) => page.errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) page.errors.push(message.text());
  });
  page.on('request', (request) => {
    if (!request.url().startsWith(API) && !request.url().startsWith('data:')) page.errors.push(`request to ${request.url()}`);
  });
  await page.goto(`${API}${path}`);
  return page;
}

const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** axe-core's serious and critical violations on the page as it is now. */
export async function accessibilityProblems(page) {
  // Evaluated, not added as a script tag: the pages' policy allows no inline script.
  await page.evaluate(axeSource);
  const results = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact}: ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** With UPDATE_SCREENSHOTS=1, the page as it looks now becomes docs/screenshots/NAME.png. */
export async function screenshot(page, name) {
  if (process.env.UPDATE_SCREENSHOTS !== '1') return;
  // The page as a person sees it once it has settled: nothing loading, no passing notice.
  await page.waitForFunction(() => !document.querySelector('.loading, .toast'), null, { timeout: 15000 });
  fs.mkdirSync(`${root}docs/screenshots`, { recursive: true });
  await page.screenshot({ path: `${root}docs/screenshots/${name}.png`, fullPage: false });
}
