// The home page: the catalogue with its filters, and recommendations when signed in.
import { useTitle, useSession } from '../hooks';
import { Catalog } from './Catalog';
import { Recommended } from './Recommended';

export function Home({ params }: { params: URLSearchParams }) {
  const session = useSession();
  useTitle('Products', 'Shop');
  return (
    <>
      <h1>Products</h1>
      {session && session.role === 'customer' && <Recommended customerId={session.customer_id} />}
      <Catalog params={params} />
    </>
  );
}
