// The admin console shell: sign-in gate (admins only), navigation, and the routed view.
import { useEffect, useState } from 'preact/hooks';
import { onSignedOut } from '../api';
import { useRoute, useSession, useTitle } from '../hooks';
import { logout } from '../session';
import { LiveRegion, Notice, SkipLink, announce, useFocusHeading } from '../ui';
import { CustomerView, CustomersLookup } from './Customers';
import { HealthView } from './Health';
import { AdminLogin } from './Login';
import { ModerationView } from './Moderation';
import { NewProduct, ProductEditor } from './ProductEdit';
import { ProductsView } from './Products';
import { SaleView, SalesLookup } from './Sales';

const SECTIONS: [string, string][] = [
  ['products', 'Products'],
  ['reviews', 'Moderation'],
  ['sales', 'Sales & refunds'],
  ['customers', 'Customers'],
  ['health', 'Health'],
];

export function App() {
  const route = useRoute();
  const session = useSession();
  const [expired, setExpired] = useState(false);
  const [section = 'products', id] = route.parts;
  useFocusHeading(`${!!session}/${route.parts.join('/')}`);
  useEffect(() => onSignedOut(() => setExpired(true)), []);
  useEffect(() => {
    if (session) setExpired(false);
  }, [session]);

  const admin = session?.role === 'admin';
  return (
    <>
      <SkipLink />
      <header class="site-header">
        <a class="brand" href="#/products">Shop admin</a>
        {admin && (
          <nav aria-label="Admin">
            <ul>
              {SECTIONS.map(([key, label]) => (
                <li key={key}>
                  <a href={`#/${key}`} aria-current={section === key ? 'page' : undefined}>{label}</a>
                </li>
              ))}
              <li>
                <button type="button" class="link" onClick={async () => { await logout(); announce('You are signed out.'); }}>
                  Log out
                </button>
              </li>
            </ul>
          </nav>
        )}
      </header>
      <main id="main">
        {expired && !session && <Notice kind="warn">Your session has ended. Please sign in again.</Notice>}
        {admin ? renderSection(section, id) : <AdminLogin />}
      </main>
      <footer class="site-footer">
        <p><a href="/">Storefront</a> · <a href="/docs">API reference</a></p>
      </footer>
      <LiveRegion />
    </>
  );
}

function renderSection(section: string, id: string | undefined) {
  switch (section) {
    case 'products':
      if (id === 'new') return <NewProduct />;
      return id ? <ProductEditor id={id} /> : <ProductsView />;
    case 'reviews':
      return <ModerationView />;
    case 'sales':
      return id ? <SaleView id={id} /> : <SalesLookup />;
    case 'customers':
      return id ? <CustomerView id={id} /> : <CustomersLookup />;
    case 'health':
      return <HealthView />;
    default:
      return <NotFound />;
  }
}

function NotFound() {
  useTitle('Page not found', 'Shop admin');
  return <h1>Page not found</h1>;
}
