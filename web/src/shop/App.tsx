// The storefront shell: header, navigation, and the view the hash route names.
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut } from '../api';
import { href, navigate, useRoute, useSession, useTitle } from '../hooks';
import { logout } from '../session';
import { LiveRegion, Notice, SkipLink, announce, useFocusHeading } from '../ui';
import { AccountView } from './Account';
import { LoginView, RegisterView } from './Auth';
import { clearCart, useCart } from './cart';
import { CartView } from './CartView';
import { Home } from './Home';
import { OrdersView, OrderView } from './Orders';
import { ProductView } from './ProductView';

export function App() {
  const route = useRoute();
  const session = useSession();
  const cart = useCart();
  const [expired, setExpired] = useState(false);
  const [view, id] = route.parts;
  useFocusHeading(route.parts.join('/'));

  // A refused refresh means the login is over: say so and offer the sign-in form.
  useEffect(
    () =>
      onSignedOut(() => {
        setExpired(true);
        const here = location.hash.replace(/^#/, '');
        if (!here.startsWith('/login')) navigate(href(['login'], { next: here || '/' }));
      }),
    [],
  );
  useEffect(() => {
    if (session) setExpired(false);
  }, [session]);

  const units = cart.reduce((n, l) => n + l.quantity, 0);
  // The cart is the signed-in shopper's: the next person on this browser must not get it.
  const onLogout = async () => {
    clearCart();
    await logout();
    announce('You are signed out.');
    navigate('#/');
  };

  return (
    <>
      <SkipLink />
      <header class="site-header">
        <a class="brand" href="#/">Shop</a>
        <nav aria-label="Main">
          <ul>
            <li><a href="#/" aria-current={!view ? 'page' : undefined}>Products</a></li>
            <li>
              <a href="#/cart" aria-current={view === 'cart' ? 'page' : undefined}>
                Cart <span class="badge">{units}<span class="visually-hidden"> items</span></span>
              </a>
            </li>
            {session ? (
              <>
                <li><a href="#/orders" aria-current={view === 'orders' ? 'page' : undefined}>Orders</a></li>
                <li><a href="#/account" aria-current={view === 'account' ? 'page' : undefined}>Account</a></li>
                <li><button type="button" class="link" onClick={onLogout}>Log out</button></li>
              </>
            ) : (
              <>
                <li><a href="#/login" aria-current={view === 'login' ? 'page' : undefined}>Log in</a></li>
                <li><a href="#/register" aria-current={view === 'register' ? 'page' : undefined}>Register</a></li>
              </>
            )}
          </ul>
        </nav>
      </header>
      <main id="main">
        {expired && !session && <Notice kind="warn">Your session has ended. Please sign in again.</Notice>}
        {renderView(view, id, route.params)}
      </main>
      <footer class="site-footer">
        <p>Prices in US dollars. <a href="/docs">API reference</a></p>
      </footer>
      <LiveRegion />
    </>
  );
}

function renderView(view: string | undefined, id: string | undefined, params: URLSearchParams) {
  switch (view) {
    case undefined:
      return <Home params={params} />;
    case 'products':
      return id ? <ProductView id={id} /> : <Home params={params} />;
    case 'cart':
      return <CartView />;
    case 'login':
      return <LoginView next={params.get('next')} />;
    case 'register':
      return <RegisterView next={params.get('next')} />;
    case 'account':
      return <AccountView />;
    case 'orders':
      return id ? <OrderView id={id} /> : <OrdersView />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  useTitle('Page not found', 'Shop');
  return (
    <>
      <h1>Page not found</h1>
      <p><a href="#/">Back to the products</a></p>
    </>
  );
}
