// The storefront and the admin console in Debian's Chromium against the local stack, as a
// shopper and an admin use them; the API is asked only to set the scene and to check what
// the pages did to stock and money.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  accessibilityProblems, adminLogin, browser, call, customer, expired, open, product, run,
  screenshot, stockOf, walletOf,
} from './lib.mjs';

let chromium;
let admin;
let lamp;
let vase;
let last; // a product with one unit left
const PHONE = { viewport: { width: 390, height: 844 } };

before(async () => {
  chromium = await browser();
  admin = (await adminLogin()).access_token;
  lamp = await product(admin, `Reading lamp ${run}`, 1250, 6);
  vase = await product(admin, `Glass vase ${run}`, 799, 10);
  last = await product(admin, `Last teapot ${run}`, 500, 1);
});

after(async () => {
  await chromium?.close();
});

/** A link of a page's menu (`Main` in the storefront, `Admin` in the console), never a
 *  product's, whatever the catalogue holds. */
function menuLink(page, name, menu = 'Main') {
  return page.getByRole('navigation', { name: menu }).getByRole('link', { name });
}

/** Signs in through the storefront's form. */
async function logIn(page, who) {
  await menuLink(page, 'Log in').click();
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

/** Finds products by name in the catalogue and adds one of `name` to the cart. */
async function addToCart(page, name) {
  await page.goto(`${page.url().split('#')[0]}#/`);
  await page.getByRole('searchbox', { name: 'Search' }).fill(name);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name }) });
  await card.getByRole('button', { name: 'Add to cart' }).click();
}

test('a shopper registers, searches, buys two products and reviews one; the admin approves it and refunds a line', async () => {
  const context = await chromium.newContext();
  const page = await open(context, '/');
  const email = `shopper-${run}@shop.test`;
  const password = 'amber-orchard-tramline-1';

  await menuLink(page, 'Register').click();
  await page.getByLabel('Full name').fill('Browser Shopper');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Register' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
  const { customer_id: id, access_token: token } = (await call('POST', '/login', { body: { email, password } })).body;
  const shopper = { id, token };

  await menuLink(page, 'Account').click();
  await page.getByLabel('Amount to deposit ($)').fill('100');
  await page.getByRole('button', { name: 'Deposit' }).click();
  await assert.doesNotReject(page.getByTestId('wallet-balance').getByText('$100.00').waitFor());
  assert.equal(await walletOf(shopper), 10000);

  await menuLink(page, 'Products').click();
  await page.getByRole('searchbox', { name: 'Search' }).fill(run);
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByRole('heading', { name: lamp.name }).waitFor();
  await page.getByRole('heading', { name: vase.name }).waitFor();
  await screenshot(page, 'storefront');
  for (const name of [lamp.name, vase.name]) {
    const card = page.getByRole('article').filter({ has: page.getByRole('heading', { name }) });
    await card.getByRole('button', { name: 'Add to cart' }).click();
  }
  await menuLink(page, /Cart/).click();
  await page.getByRole('heading', { name: 'Your cart', exact: true }).waitFor();
  await screenshot(page, 'cart');
  await page.getByRole('button', { name: 'Check out' }).click();
  await page.getByText('Thank you! Your order is complete.').waitFor();

  assert.equal(await stockOf(lamp.id), 5);
  assert.equal(await stockOf(vase.id), 9);
  assert.equal(await walletOf(shopper), 10000 - 1250 - 799);
  await page.getByText('$79.51').first().waitFor(); // the new balance, shown with the order
  const history = (await call('GET', `/sales/history/${id}`, { token })).body.items;
  assert.equal(history.length, 1);
  const sale = history[0];

  // The review, from the product's page.
  await page.goto(`${page.url().split('#')[0]}#/products/${lamp.id}`);
  await page.getByRole('heading', { name: lamp.name, level: 1 }).waitFor();
  await page.getByText('Only 5 left').waitFor(); // it was 6 before the order
  await page.getByLabel('Rating').selectOption('5');
  await page.getByLabel('Comment').fill(`Bright and steady ${run}`);
  await page.getByRole('button', { name: 'Submit review' }).click();
  await page.getByText('Pending moderation').first().waitFor();
  await screenshot(page, 'product');

  // The admin approves it and refunds the vase.
  const console_ = await chromium.newContext();
  const adminPage = await open(console_, '/admin');
  await adminPage.getByLabel('Email').fill(process.env.DEMO_ADMIN_EMAIL ?? 'admin@shop.local');
  await adminPage.getByLabel('Password').fill(process.env.DEMO_ADMIN_PASSWORD ?? 'admin-password-local');
  await adminPage.getByRole('button', { name: 'Log in' }).click();
  await menuLink(adminPage, /Moderation/, 'Admin').click();
  // The queue lists the oldest pending reviews first: page on until this one shows.
  const review = adminPage.getByRole('listitem').filter({ hasText: `Bright and steady ${run}` });
  await adminPage.getByRole('heading', { name: 'Moderation queue', exact: true }).waitFor();
  await adminPage.waitForFunction(() => !document.querySelector('.loading'));
  while (!(await review.isVisible())) {
    await adminPage.getByRole('button', { name: 'Next page' }).click();
    await adminPage.waitForFunction(() => !document.querySelector('.loading'));
  }
  await screenshot(adminPage, 'admin-moderation');
  await review.getByRole('button', { name: 'Approve' }).click();
  await adminPage.getByText('Review approved.').waitFor();
  const approved = (await call('GET', `/reviews?product_id=${lamp.id}`)).body.items;
  assert.equal(approved.length, 1);

  await menuLink(adminPage, /Sales/, 'Admin').click();
  await adminPage.getByLabel('Sale id').fill(sale.id);
  await adminPage.getByRole('button', { name: 'Find sale' }).click();
  await adminPage.getByLabel(`Units to refund: ${lamp.name}`).fill('0');
  await adminPage.getByLabel(`Units to refund: ${vase.name}`).fill('1');
  await adminPage.getByLabel('Reason').fill('Arrived chipped');
  await adminPage.getByRole('button', { name: 'Issue refund' }).click();
  await adminPage.getByText(/Refund(ed)? .*\$7\.99/).first().waitFor();
  await screenshot(adminPage, 'admin-refund');
  assert.equal(await walletOf(shopper), 10000 - 1250);

  // The shopper sees the refund in their orders, and the approved review on the page.
  await menuLink(page, 'Orders').click();
  await page.getByText('Refunded').first().waitFor();
  await page.getByRole('heading', { name: 'Refunds', exact: true }).waitFor();
  await screenshot(page, 'orders');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(adminPage.errors, []);
  await context.close();
  await console_.close();
});

test('an order refused for stock or for money says which, and buys nothing', async () => {
  const poor = await customer('poor');
  const context = await chromium.newContext(PHONE); // on a phone-sized screen
  const page = await open(context, '/');
  await logIn(page, poor);
  await addToCart(page, lamp.name);
  await menuLink(page, /Cart/).click();
  const refusedForMoney = page.waitForResponse((r) => r.url().endsWith('/sales') && r.request().method() === 'POST');
  await page.getByRole('button', { name: 'Check out' }).click();
  assert.equal((await refusedForMoney).status(), 402);
  await page.getByRole('alert').filter({ hasText: /not enough money|insufficient|wallet/i }).waitFor();
  assert.equal(await walletOf(poor), 0);

  const rich = await customer('rich', 100000);
  const other = await chromium.newContext();
  const shop = await open(other, '/');
  await logIn(shop, rich);
  await addToCart(shop, last.name);
  await addToCart(shop, vase.name);
  await menuLink(shop, /Cart/).click();
  await shop.getByLabel(`Quantity of ${last.name}`).fill('2');
  const stockBefore = await stockOf(vase.id);
  const refusedForStock = shop.waitForResponse((r) => r.url().endsWith('/sales') && r.request().method() === 'POST');
  await shop.getByRole('button', { name: 'Check out' }).click();
  const refusal = await refusedForStock;
  assert.equal(refusal.status(), 409);
  // The refusal is shown against the teapot's line, with what the server says is left
  // (the cart's own warning before checkout reads "Only 1 left in stock.").
  const [line] = (await refusal.json()).errors;
  assert.equal(line.field, 'items[0].quantity');
  assert.equal(line.message, '1 left in stock');
  await shop.getByText('Not enough stock: only 1 left in stock.').waitFor();
  assert.equal(await walletOf(rich), 100000);
  assert.equal(await stockOf(vase.id), stockBefore);
  assert.equal(await stockOf(last.id), 1);
  assert.deepEqual([...page.errors, ...shop.errors], []);
  await context.close();
  await other.close();
});

test('an expired access token is refreshed without the shopper noticing', async () => {
  const shopper = await customer('sleepy', 4200);
  const context = await chromium.newContext();
  const page = await open(context, '/');
  await logIn(page, shopper);
  const stored = JSON.parse(await page.evaluate(() => localStorage.getItem('shop.session')));
  stored.access_token = expired(stored.access_token);
  await page.evaluate((s) => localStorage.setItem('shop.session', JSON.stringify(s)), stored);
  assert.equal((await call('GET', `/profile/${shopper.id}`, { token: stored.access_token })).status, 401);

  await menuLink(page, 'Account').click();
  await page.getByTestId('wallet-balance').getByText('$42.00').waitFor();
  const renewed = JSON.parse(await page.evaluate(() => localStorage.getItem('shop.session')));
  assert.notEqual(renewed.access_token, stored.access_token);
  assert.notEqual(renewed.refresh_token, stored.refresh_token);
  assert.equal(await page.getByRole('heading', { name: 'Log in', exact: true }).count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('logging out empties the cart: the next person on this browser starts with their own', async () => {
  const first = await customer('leaving');
  const next = await customer('arriving');
  const context = await chromium.newContext();
  const page = await open(context, '/');
  await logIn(page, first);
  await addToCart(page, vase.name);
  await menuLink(page, /^Cart 1 items?$/).waitFor();
  await page.getByRole('button', { name: 'Log out' }).click();
  await menuLink(page, 'Log in').waitFor();
  await menuLink(page, /^Cart 0 items?$/).waitFor();
  await logIn(page, next);
  await menuLink(page, /Cart/).click();
  await page.getByText('Your cart is empty.').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the main pages have no serious or critical accessibility problems', async () => {
  const shopper = await customer('axe', 5000);
  const context = await chromium.newContext();
  const page = await open(context, '/');
  const found = [];
  const check = async (name, on = page) => {
    for (const problem of await accessibilityProblems(on)) found.push(`${name}: ${problem}`);
  };
  await page.getByRole('heading', { name: 'Products', exact: true, level: 1 }).waitFor();
  await check('storefront');
  await page.goto(`${page.url().split('#')[0]}#/products/${lamp.id}`);
  await page.getByRole('heading', { name: 'Customers also bought', exact: true }).waitFor();
  await check('product');
  await logIn(page, shopper);
  await menuLink(page, 'Account').click();
  await page.getByTestId('wallet-balance').waitFor();
  await check('account');
  await menuLink(page, /Cart/).click();
  await page.getByRole('heading', { name: 'Your cart', exact: true }).waitFor();
  await check('cart');

  const adminPage = await open(context, '/admin');
  await adminPage.getByRole('heading', { name: 'Admin sign-in', exact: true }).waitFor();
  await check('admin sign-in', adminPage);
  await adminPage.getByLabel('Email').fill(process.env.DEMO_ADMIN_EMAIL ?? 'admin@shop.local');
  await adminPage.getByLabel('Password').fill(process.env.DEMO_ADMIN_PASSWORD ?? 'admin-password-local');
  await adminPage.getByRole('button', { name: 'Log in' }).click();
  await menuLink(adminPage, /Health/, 'Admin').click();
  await adminPage.getByRole('heading', { name: 'Database', exact: true }).waitFor();
  await screenshot(adminPage, 'admin-health');
  await check('admin health', adminPage);

  const docs = await open(context, '/docs');
  await docs.getByText('Register a customer').first().waitFor();
  await screenshot(docs, 'docs');
  assert.deepEqual(found, []);
  assert.deepEqual([...page.errors, ...adminPage.errors, ...docs.errors], []);
  await context.close();
});
