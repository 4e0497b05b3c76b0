// A product's approved reviews, with the rating summary; paged.
import { api } from '../api';
import { useAsync, useCursor } from '../hooks';
import type { ReviewPage } from '../types';
import { DateTime, ErrorBox, Loading, Pager, Stars } from '../ui';

export function ProductReviews({ productId, refresh }: { productId: string; refresh: number }) {
  const pager = useCursor(productId);
  const page = useAsync(
    () => api.get<ReviewPage>('/reviews', { product_id: productId, limit: 10, cursor: pager.cursor }),
    [productId, pager.cursor, refresh],
  );
  const summary = page.data?.summary;
  return (
    <section aria-labelledby="reviews-h">
      <h2 id="reviews-h">Reviews</h2>
      {summary && (
        <p class="rating-summary">
          {summary.count > 0 ? (
            <>
              <Stars rating={summary.average_rating} /> {summary.average_rating?.toFixed(1)} out of 5 from{' '}
              {summary.count} review{summary.count === 1 ? '' : 's'}
            </>
          ) : (
            'No reviews yet.'
          )}
        </p>
      )}
      {page.loading && <Loading label="Loading reviews…" />}
      <ErrorBox error={page.error} onRetry={page.reload} />
      {page.data && !page.loading && page.data.items.length === 0 && pager.page === 1 && !summary && <p class="empty">No reviews yet.</p>}
      {page.data && !page.loading && page.data.items.length > 0 && (
        <ul class="reviews" aria-label="Customer reviews">
          {page.data.items.map((r) => (
            <li key={r.id} class="review">
              <p>
                <Stars rating={r.rating} />
                {r.verified_purchase && <span class="tag">Verified purchase</span>}
              </p>
              {/* Comments are plain text: Preact escapes them, never rendered as HTML. */}
              <p class="comment">{r.comment}</p>
              <p class="muted small"><DateTime iso={r.created_at} /></p>
            </li>
          ))}
        </ul>
      )}
      <Pager page={pager.page} nextCursor={page.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Review pages" />
    </section>
  );
}
