// The moderation queue: pending reviews, approved or rejected as read (If-Match = version).
import { useState } from 'preact/hooks';
import { ApiProblem, api, call, seg } from '../api';
import { href, useAsync, useCursor, useSubmit, useTitle } from '../hooks';
import { describe, isStale } from '../problems';
import { productName, useProducts } from '../products';
import type { ReviewPage, Review } from '../types';
import { DateTime, Empty, ErrorBox, Field, Loading, Pager, Stars, announce } from '../ui';

export function ModerationView() {
  useTitle('Moderation', 'Shop admin');
  const pager = useCursor('');
  const queue = useAsync(() => api.get<ReviewPage>('/reviews', { status: 'pending', limit: 20, cursor: pager.cursor }), [pager.cursor]);
  const [decided, setDecided] = useState<Set<string>>(new Set());
  const items = (queue.data?.items ?? []).filter((r) => !decided.has(r.id));
  const products = useProducts(items.map((r) => r.product_id));

  return (
    <>
      <h1>Moderation queue</h1>
      <p class="actions">
        <button type="button" class="secondary" onClick={() => { setDecided(new Set()); queue.reload(); }}>Refresh queue</button>
      </p>
      {queue.loading && <Loading label="Loading pending reviews…" />}
      <ErrorBox error={queue.error} onRetry={queue.reload} />
      {queue.data && !queue.loading && (items.length === 0 ? (
        <Empty>No reviews are waiting for moderation.</Empty>
      ) : (
        <ul class="reviews" aria-label="Pending reviews">
          {items.map((r) => (
            <li key={r.id}>
              <ModerationItem review={r} productLabel={productName(products[r.product_id], r.product_id)} onDecided={() => setDecided((s) => new Set(s).add(r.id))} />
            </li>
          ))}
        </ul>
      ))}
      <Pager page={pager.page} nextCursor={queue.data?.next_cursor} onNext={pager.next} onPrev={pager.prev} label="Queue pages" />
    </>
  );
}

function ModerationItem(props: { review: Review; productLabel: string; onDecided: () => void }) {
  const [review, setReview] = useState(props.review);
  const [reason, setReason] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const headingId = `review-${review.id}`;

  const decide = async (action: 'approve' | 'reject') => {
    await run(async () => {
      await api.post<Review>(`/reviews/${seg(review.id)}/moderate`, { action, reason: reason.trim() || null }, { ifMatch: review.version });
      announce(action === 'approve' ? 'Review approved.' : 'Review rejected.');
      props.onDecided();
    });
  };

  /** After a stale decision: read the review as it is now, to decide on that. */
  const reload = async () => {
    setError(null);
    try {
      const res = await call<Review>('GET', `/reviews/${seg(review.id)}`);
      setReview(res.data);
      if (res.data.status !== 'pending') {
        announce(`This review is already ${res.data.status}.`);
        props.onDecided();
      }
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 404) {
        announce('This review was deleted.');
        props.onDecided();
      } else setError(err);
    }
  };

  const stale = isStale(error);
  const own = error instanceof ApiProblem && error.status === 403;
  return (
    <article class="card review" aria-labelledby={headingId}>
      <h2 id={headingId} class="h3">
        Review of <a href={`/${href(['products', review.product_id])}`}>{props.productLabel}</a>
      </h2>
      <p>
        <Stars rating={review.rating} />
        {review.verified_purchase && <span class="tag">Verified purchase</span>}
        <span class="muted small"> by customer <a href={href(['customers', review.customer_id])}>{review.customer_id}</a>, <DateTime iso={review.updated_at} /> (version {review.version})</span>
      </p>
      <p class="comment">{review.comment}</p>
      {stale ? (
        <div class="notice notice-warn" role="alert">
          <p>The author changed this review since you opened it, so nothing was decided. Reload to see their change, then decide again.</p>
          <button type="button" onClick={reload}>Reload review</button>
        </div>
      ) : (
        error != null && <p class="field-error" role="alert">{own ? 'You cannot moderate your own review.' : describe(error, { thing: 'this review' })}</p>
      )}
      <Field label="Reason (optional, shown to the author)" name="reason" value={reason} onValue={setReason} maxLength={500} />
      <div class="actions">
        <button type="button" disabled={busy || stale} onClick={() => decide('approve')}>Approve</button>
        <button type="button" class="danger" disabled={busy || stale} onClick={() => decide('reject')}>Reject</button>
      </div>
    </article>
  );
}
