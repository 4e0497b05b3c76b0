// The signed-in customer's own review of a product: write, edit (back to pending) or delete.
import { useState } from 'preact/hooks';
import { api, ApiProblem, seg } from '../api';
import { useAsync } from '../hooks';
import { describe, fieldErrors } from '../problems';
import type { Page, Review } from '../types';
import { ErrorBox, Field, Loading, Notice, RATING_OPTIONS, SelectField, Stars, announce } from '../ui';

/** One's review of `productId`, if any: GET /reviews?customer_id= lists them, a page at a time. */
async function findMine(customerId: string, productId: string): Promise<Review | null> {
  let cursor: string | undefined;
  for (let i = 0; i < 20; i++) {
    const page = await api.get<Page<Review>>('/reviews', { customer_id: customerId, limit: 100, cursor });
    const mine = page.items.find((r) => r.product_id === productId);
    if (mine) return mine;
    if (!page.next_cursor) return null;
    cursor = page.next_cursor;
  }
  return null;
}

const STATUS_TEXT = {
  pending: 'Pending moderation: others will see it once it is approved.',
  approved: 'Approved and shown to other customers.',
  rejected: 'Not published.',
};

export function MyReview({ productId, customerId, onChange }: { productId: string; customerId: string; onChange: () => void }) {
  const mine = useAsync(() => findMine(customerId, productId), [customerId, productId]);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const review = mine.data;

  const remove = async () => {
    if (!review) return;
    setError(null);
    try {
      await api.del(`/reviews/${seg(review.id)}`);
      announce('Your review was deleted.');
      setConfirmDelete(false);
      mine.set(null);
      onChange();
    } catch (e) {
      setError(e);
    }
  };

  return (
    <section aria-labelledby="my-review-h" class="my-review">
      <h2 id="my-review-h">Your review</h2>
      {mine.loading && <Loading label="Looking for your review…" />}
      <ErrorBox error={mine.error} onRetry={mine.reload} />
      <ErrorBox error={error} />
      {!mine.loading && !mine.error && (review && !editing ? (
        <div class="card">
          <p><Stars rating={review.rating} /> <span class={`tag status-${review.status}`}>{review.status === 'pending' ? 'Pending moderation' : review.status}</span></p>
          <p class="comment">{review.comment}</p>
          <p class="muted small">{STATUS_TEXT[review.status]}{review.status === 'rejected' && review.moderation_reason ? ` Reason: ${review.moderation_reason}` : ''}</p>
          {confirmDelete ? (
            <div class="actions" role="group" aria-label="Confirm deletion">
              <span>Delete your review?</span>
              <button type="button" class="danger" onClick={remove}>Yes, delete review</button>
              <button type="button" class="secondary" onClick={() => setConfirmDelete(false)}>Keep it</button>
            </div>
          ) : (
            <div class="actions">
              <button type="button" class="secondary" onClick={() => setEditing(true)}>Edit review</button>
              <button type="button" class="secondary danger" onClick={() => setConfirmDelete(true)}>Delete review</button>
            </div>
          )}
        </div>
      ) : (
        <ReviewForm
          productId={productId}
          existing={review ?? null}
          onCancel={review ? () => setEditing(false) : undefined}
          onSaved={(r) => {
            mine.set(r);
            setEditing(false);
            onChange();
          }}
          onDuplicate={mine.reload}
        />
      ))}
    </section>
  );
}

function ReviewForm(props: { productId: string; existing: Review | null; onSaved: (r: Review) => void; onCancel?: () => void; onDuplicate: () => void }) {
  const { existing } = props;
  const [rating, setRating] = useState(String(existing?.rating ?? 5));
  const [comment, setComment] = useState(existing?.comment ?? '');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const errs = fieldErrors(error);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!comment.trim()) {
      setError(new ApiProblem(422, 'client', 'Invalid', '', [{ field: 'comment', message: 'Please write a comment.' }]));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { rating: Number(rating), comment };
      const saved = existing
        ? await api.patch<Review>(`/reviews/${seg(existing.id)}`, body)
        : await api.post<Review>('/reviews', { product_id: props.productId, ...body });
      announce(existing ? 'Your review was updated and is pending moderation.' : 'Thank you! Your review is pending moderation.');
      props.onSaved(saved);
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 409 && !existing) {
        announce('You have already reviewed this product.');
        props.onDuplicate();
      }
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const summary = error && !(error instanceof ApiProblem && error.status === 422 && error.errors.every((f) => f.field in { rating: 1, comment: 1 }));
  return (
    <form class="card" onSubmit={submit} aria-label={existing ? 'Edit your review' : 'Write a review'}>
      {!existing && <p>Tell other customers what you think. Reviews are published after moderation.</p>}
      {existing && <Notice>Saving your changes sends the review back to moderation.</Notice>}
      <SelectField label="Rating" name="rating" value={rating} onValue={setRating} options={RATING_OPTIONS} error={errs.rating} />
      <Field label="Comment" name="comment" multiline rows={5} value={comment} onValue={setComment} maxLength={2000} required error={errs.comment} hint="Up to 2000 characters." />
      {summary && <p class="field-error" role="alert">{describe(error)}</p>}
      <div class="actions">
        <button type="submit" disabled={busy}>{busy ? 'Saving…' : existing ? 'Save review' : 'Submit review'}</button>
        {props.onCancel && <button type="button" class="secondary" onClick={props.onCancel}>Cancel</button>}
      </div>
    </form>
  );
}
