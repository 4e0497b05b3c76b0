//! The contract of [`Sales`]: every rule its documentation states, checked against any
//! implementation — the in-process double (`crate::memory`, by this crate's unit tests) and
//! the DynamoDB [`crate::store::Store`] (by the end-to-end tests, on DynamoDB Local), so
//! the double cannot drift from the table's rules.
//!
//! Compiled for this crate's tests and, behind the `contract-tests` feature, for the e2e
//! crate; the functions never call it (it is generic: no code of it reaches a binary).
//! Every id is fresh (ULIDs), so runs against a table in use never meet other data.

use crate::domain::{FailureReason, RefundOrder, Sale, SaleStatus};
use crate::store::{Claim, Sales};
use edge::contracts::inventory::StockLine;
use edge::error::FieldError;
use edge::ids::new_id;
use edge::money::Cents;
use std::time::{Duration, SystemTime};
use storage::idempotency::NextAction;
use testkit::Rules;

/// An instant `offset` seconds from now, in the stored format (`infra::time`).
fn at(offset: i64) -> String {
    let now = SystemTime::now();
    let instant = if offset >= 0 {
        now + Duration::from_secs(offset.unsigned_abs())
    } else {
        now - Duration::from_secs(offset.unsigned_abs())
    };
    humantime::format_rfc3339_millis(instant).to_string()
}

fn line(product: &str, quantity: i64) -> StockLine {
    StockLine {
        product_id: product.into(),
        quantity,
    }
}

/// A pending sale of `customer`, created at `created` (seconds from now), due at `deadline`.
fn sale(customer: &str, products: &[&str], created: i64, deadline: i64) -> Sale {
    let lines: Vec<StockLine> = products.iter().map(|p| line(p, 2)).collect();
    Sale::new(
        new_id(),
        customer.into(),
        &lines,
        &at(created),
        at(deadline),
    )
}

fn ids(sales: &[Sale]) -> Vec<&str> {
    sales.iter().map(|s| s.id.as_str()).collect()
}

fn contains(sales: &[Sale], id: &str) -> bool {
    sales.iter().any(|s| s.id == id)
}

/// Creates and completes a sale: prices 150 per unit.
async fn bought(store: &impl Sales, sale: Sale) -> Sale {
    let sale = store.create(sale).await.expect("create");
    let prices = vec![Cents::new(150); sale.items.len()];
    let total = Cents::new(300 * sale.items.len() as i64);
    store
        .complete(&sale, &prices, total, &at(0))
        .await
        .expect("complete")
        .expect("a pending sale completes")
}

/// Checks every rule of [`Sales`] on `store`; panics naming each broken rule, and
/// answers how many were checked. `name` says which store in the message.
pub async fn check(store: &impl Sales, name: &str) -> usize {
    let mut rules = Rules::default();
    let customer = format!("contract-customer-{}", new_id());
    let (product, other_product) = (format!("p-{}", new_id()), format!("p-{}", new_id()));

    // create / get
    let first = sale(&customer, &[&product], -100, 3600);
    let created = store.create(first.clone()).await.unwrap();
    rules.check(
        "create records a new sale as pending",
        created.id == first.id && created.is(SaleStatus::Pending),
        &created,
    );
    let read = store.get(&first.id).await.unwrap();
    rules.check(
        "get answers a created sale, pending",
        read.as_ref()
            .is_some_and(|s| s.is(SaleStatus::Pending) && s.customer_id == customer),
        &read,
    );
    let mut again = first.clone();
    again.created_at = at(-50);
    again.customer_id = "another".into();
    let raced = store.create(again).await.unwrap();
    rules.check(
        "create under a recorded id answers the sale recorded first, unchanged",
        raced.created_at == first.created_at && raced.customer_id == customer,
        &raced,
    );
    let unknown = store.get(&new_id()).await.unwrap();
    rules.check(
        "get of an unknown id answers None",
        unknown.is_none(),
        &unknown,
    );

    // complete
    let done = store
        .complete(&first, &[Cents::new(175)], Cents::new(350), &at(0))
        .await
        .unwrap();
    rules.check(
        "complete moves a pending sale to completed at the given prices and total",
        done.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Completed)
                && s.total_cents == Some(Cents::new(350))
                && s.items[0].unit_price_cents == Some(Cents::new(175))
        }),
        &done,
    );
    let stored = store.get(&first.id).await.unwrap();
    rules.check(
        "a completed sale reads back completed, priced",
        stored.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Completed)
                && s.total_cents == Some(Cents::new(350))
                && s.items[0].unit_price_cents == Some(Cents::new(175))
        }),
        &stored,
    );
    let twice = store
        .complete(&first, &[Cents::new(175)], Cents::new(350), &at(0))
        .await
        .unwrap();
    rules.check(
        "complete of a sale no longer pending answers None",
        twice.is_none(),
        &twice,
    );
    let failed_late = store
        .fail(&first, FailureReason::OutOfStock, &[], &at(0))
        .await
        .unwrap();
    rules.check(
        "fail of a completed sale answers None",
        failed_late.is_none(),
        &failed_late,
    );
    let claimed_late = store.claim(&first.id, &at(7200), Claim::Now).await.unwrap();
    rules.check(
        "claim of a completed sale answers None (it is final)",
        claimed_late.is_none(),
        &claimed_late,
    );
    let still = store.get(&first.id).await.unwrap();
    rules.check(
        "refused changes leave a completed sale completed",
        still.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Completed) && s.failure.is_none() && s.claimed_at.is_none()
        }),
        &still,
    );

    // fail
    let second = store
        .create(sale(&customer, &[&product], -90, 3600))
        .await
        .unwrap();
    let refusal = [FieldError::new("items[0].quantity", "1 left")];
    let failed = store
        .fail(&second, FailureReason::OutOfStock, &refusal, &at(0))
        .await
        .unwrap();
    rules.check(
        "fail moves a pending sale to failed with its reason and lines",
        failed.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Failed)
                && s.failure == Some(FailureReason::OutOfStock)
                && s.failed_lines == refusal
        }),
        &failed,
    );
    let stored = store.get(&second.id).await.unwrap();
    rules.check(
        "a failed sale reads back failed, with its reason and lines",
        stored.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Failed)
                && s.failure == Some(FailureReason::OutOfStock)
                && s.failed_lines == refusal
        }),
        &stored,
    );
    let completed_late = store
        .complete(&second, &[Cents::new(1)], Cents::new(2), &at(0))
        .await
        .unwrap();
    rules.check(
        "complete of a failed sale answers None",
        completed_late.is_none(),
        &completed_late,
    );
    let failed_again = store
        .fail(&second, FailureReason::Conflict, &[], &at(0))
        .await
        .unwrap();
    rules.check(
        "fail of a failed sale answers None, its first reason kept",
        failed_again.is_none()
            && store.get(&second.id).await.unwrap().and_then(|s| s.failure)
                == Some(FailureReason::OutOfStock),
        &failed_again,
    );

    // claim
    let third = store
        .create(sale(&customer, &[&product], -80, 3600))
        .await
        .unwrap();
    let early = store
        .claim(&third.id, &at(0), Claim::Overdue)
        .await
        .unwrap();
    rules.check(
        "an Overdue claim before the deadline answers None",
        early.is_none(),
        &early,
    );
    let unclaimed = store.get(&third.id).await.unwrap();
    rules.check(
        "a refused claim leaves the sale unclaimed",
        unclaimed.as_ref().is_some_and(|s| s.claimed_at.is_none()),
        &unclaimed,
    );
    let first_claim = at(0);
    let claimed = store
        .claim(&third.id, &first_claim, Claim::Now)
        .await
        .unwrap();
    rules.check(
        "a Now claim takes a pending sale before its deadline, at now",
        claimed.as_ref().is_some_and(|s| {
            s.is(SaleStatus::Pending) && s.claimed_at.as_deref() == Some(first_claim.as_str())
        }),
        &claimed,
    );
    let reclaimed = store.claim(&third.id, &at(5), Claim::Now).await.unwrap();
    rules.check(
        "a claimed sale may be claimed again; the first claim's time stays",
        reclaimed
            .as_ref()
            .is_some_and(|s| s.claimed_at.as_deref() == Some(first_claim.as_str())),
        &reclaimed,
    );
    let blocked = store
        .complete(&third, &[Cents::new(1)], Cents::new(2), &at(0))
        .await
        .unwrap();
    rules.check(
        "a claimed sale cannot complete",
        blocked.is_none()
            && store
                .get(&third.id)
                .await
                .unwrap()
                .is_some_and(|s| s.is(SaleStatus::Pending)),
        &blocked,
    );
    let overdue_pending = store.pending_past(&at(7200)).await.unwrap();
    rules.check(
        "a claimed sale still pending is among the sales pending past their deadline",
        contains(&overdue_pending, &third.id),
        ids(&overdue_pending),
    );
    let rolled_back = store
        .fail(&third, FailureReason::Abandoned, &[], &at(0))
        .await
        .unwrap();
    rules.check(
        "a claimed sale can be failed (rolled back)",
        rolled_back
            .as_ref()
            .is_some_and(|s| s.is(SaleStatus::Failed) && s.claimed_at.is_some()),
        &rolled_back,
    );
    let final_claim = store.claim(&third.id, &at(7200), Claim::Now).await.unwrap();
    rules.check(
        "claim of a failed sale answers None",
        final_claim.is_none(),
        &final_claim,
    );
    let nobody = store.claim(&new_id(), &at(0), Claim::Now).await.unwrap();
    rules.check(
        "claim of an unknown sale answers None (and records nothing)",
        nobody.is_none(),
        &nobody,
    );
    let overdue = store
        .create(sale(&customer, &[&product], -70, -10))
        .await
        .unwrap();
    let reconciled = store
        .claim(&overdue.id, &at(0), Claim::Overdue)
        .await
        .unwrap();
    rules.check(
        "an Overdue claim takes a pending sale past its deadline",
        reconciled.as_ref().is_some_and(|s| s.claimed_at.is_some()),
        &reconciled,
    );

    // pending_past
    let due = store
        .create(sale(&customer, &[&product], -60, -5))
        .await
        .unwrap();
    let later = store
        .create(sale(&customer, &[&product], -59, 3600))
        .await
        .unwrap();
    let past = store.pending_past(&at(0)).await.unwrap();
    rules.check(
        "pending_past lists a pending sale whose deadline is before now",
        contains(&past, &due.id),
        ids(&past),
    );
    rules.check(
        "pending_past leaves out a pending sale not yet due",
        !contains(&past, &later.id),
        ids(&past),
    );
    let all_due = store.pending_past(&at(7200)).await.unwrap();
    rules.check(
        "pending_past leaves out completed and failed sales, whatever their deadline",
        !contains(&all_due, &first.id) && !contains(&all_due, &second.id),
        ids(&all_due),
    );
    rules.check(
        "pending_past answers only pending sales",
        all_due.iter().all(|s| s.is(SaleStatus::Pending)),
        all_due.iter().map(|s| s.status).collect::<Vec<_>>(),
    );
    store
        .fail(&due, FailureReason::Abandoned, &[], &at(0))
        .await
        .unwrap();
    let after_fail = store.pending_past(&at(0)).await.unwrap();
    rules.check(
        "a sale failed is no longer pending past its deadline",
        !contains(&after_fail, &due.id),
        ids(&after_fail),
    );
    store
        .fail(&later, FailureReason::Abandoned, &[], &at(0))
        .await
        .unwrap();
    store
        .fail(&overdue, FailureReason::Abandoned, &[], &at(0))
        .await
        .unwrap();

    // revise, refunds_pending_past, undelivered, mark_delivered
    let undelivered = store.undelivered().await.unwrap();
    rules.check(
        "a completed sale is undelivered to the recommender",
        contains(&undelivered, &first.id),
        ids(&undelivered),
    );
    rules.check(
        "pending and failed sales are not undelivered",
        !contains(&undelivered, &second.id)
            && !contains(&undelivered, &third.id)
            && !contains(&undelivered, &due.id),
        ids(&undelivered),
    );
    store.mark_delivered(&first.id).await.unwrap();
    let undelivered = store.undelivered().await.unwrap();
    rules.check(
        "mark_delivered takes a sale off the undelivered",
        !contains(&undelivered, &first.id),
        ids(&undelivered),
    );
    let twice = store.mark_delivered(&first.id).await;
    rules.check(
        "mark_delivered of a delivered sale succeeds (it is idempotent)",
        twice.is_ok() && !contains(&store.undelivered().await.unwrap(), &first.id),
        &twice,
    );

    let before = store.get(&first.id).await.unwrap().unwrap();
    let order = RefundOrder {
        sale_id: first.id.clone(),
        lines: vec![line(&product, 1)],
        reason: "contract".into(),
        restock: true,
        admin_id: "contract-admin".into(),
    };
    let refund_id = new_id();
    let (with_refund, _) = before
        .with_refund(&order, &refund_id, &at(0), at(-1))
        .unwrap();
    let revised = store.revise(&before, &with_refund).await.unwrap();
    rules.check(
        "revise writes the refunds of a bought sale at its revision",
        revised.as_ref().is_some_and(|s| {
            s.revision == with_refund.revision
                && s.refunds.len() == 1
                && s.refunded_cents == with_refund.refunded_cents
                && s.is(SaleStatus::PartiallyRefunded)
        }),
        &revised,
    );
    let stored = store.get(&first.id).await.unwrap();
    rules.check(
        "a revised sale reads back with its refunds, lines, refunded cents and status",
        stored.as_ref().is_some_and(|s| {
            s.revision == with_refund.revision
                && s.refunds == with_refund.refunds
                && s.items == with_refund.items
                && s.refunded_cents == with_refund.refunded_cents
                && s.is(SaleStatus::PartiallyRefunded)
                && s.deadline_at == with_refund.deadline_at
        }),
        &stored,
    );
    let stale = store.revise(&before, &with_refund).await.unwrap();
    rules.check(
        "revise from a stale revision answers None",
        stale.is_none(),
        &stale,
    );
    let undelivered = store.undelivered().await.unwrap();
    rules.check(
        "a refund recorded but still pending does not make a sale undelivered",
        !contains(&undelivered, &first.id),
        ids(&undelivered),
    );
    let refunds_due = store.refunds_pending_past(&at(0)).await.unwrap();
    rules.check(
        "refunds_pending_past lists a sale with a refund pending past its deadline",
        contains(&refunds_due, &first.id),
        ids(&refunds_due),
    );
    let refunds_early = store.refunds_pending_past(&at(-3600)).await.unwrap();
    rules.check(
        "refunds_pending_past leaves out a sale whose deadline is not yet past",
        !contains(&refunds_early, &first.id),
        ids(&refunds_early),
    );
    let refunds_all = store.refunds_pending_past(&at(7200)).await.unwrap();
    rules.check(
        "refunds_pending_past leaves out sales without pending refunds",
        !contains(&refunds_all, &second.id)
            && !contains(&refunds_all, &third.id)
            && !contains(&refunds_all, &due.id),
        ids(&refunds_all),
    );
    let pending_past_refund = store.pending_past(&at(7200)).await.unwrap();
    rules.check(
        "a bought sale with a pending refund is not a pending sale",
        !contains(&pending_past_refund, &first.id),
        ids(&pending_past_refund),
    );
    let finished = with_refund.with_refund_completed(&refund_id, &at(1));
    let revised = store.revise(&with_refund, &finished).await.unwrap();
    rules.check(
        "revise completes a refund at the revision read",
        revised.as_ref().is_some_and(|s| {
            s.revision == finished.revision && s.pending_refunds().next().is_none()
        }),
        &revised,
    );
    let refunds_due = store.refunds_pending_past(&at(7200)).await.unwrap();
    rules.check(
        "a sale whose refunds all completed is not among the refunds pending",
        !contains(&refunds_due, &first.id),
        ids(&refunds_due),
    );
    let undelivered = store.undelivered().await.unwrap();
    rules.check(
        "a completed refund makes the sale undelivered again",
        contains(&undelivered, &first.id),
        ids(&undelivered),
    );
    store.mark_delivered(&first.id).await.unwrap();
    let pending_sale = store.get(&later.id).await.unwrap().unwrap();
    let mut not_bought = pending_sale.clone();
    not_bought.revision += 1;
    not_bought.status = SaleStatus::Refunded;
    let refused = store.revise(&pending_sale, &not_bought).await.unwrap();
    rules.check(
        "revise of a sale that was never bought (failed) answers None",
        refused.is_none()
            && store
                .get(&later.id)
                .await
                .unwrap()
                .is_some_and(|s| s.is(SaleStatus::Failed)),
        &refused,
    );
    let pending_one = store
        .create(sale(&customer, &[&other_product], -40, 3600))
        .await
        .unwrap();
    let mut refunded_pending = pending_one.clone();
    refunded_pending.revision += 1;
    refunded_pending.status = SaleStatus::Refunded;
    let refused = store.revise(&pending_one, &refunded_pending).await.unwrap();
    rules.check(
        "revise of a pending sale answers None",
        refused.is_none(),
        &refused,
    );

    // has_purchased
    let bought_it = store.has_purchased(&customer, &product).await.unwrap();
    rules.check(
        "has_purchased: true for a product of a completed (since refunded in part) sale",
        bought_it,
        bought_it,
    );
    let pending_product = store
        .has_purchased(&customer, &other_product)
        .await
        .unwrap();
    rules.check(
        "has_purchased: false for a product only in a pending sale",
        !pending_product,
        pending_product,
    );
    let failed_customer = format!("contract-customer-{}", new_id());
    let failed_sale = store
        .create(sale(&failed_customer, &[&product], -30, 3600))
        .await
        .unwrap();
    store
        .fail(&failed_sale, FailureReason::InsufficientFunds, &[], &at(0))
        .await
        .unwrap();
    let failed_product = store
        .has_purchased(&failed_customer, &product)
        .await
        .unwrap();
    rules.check(
        "has_purchased: false for a product only in a failed sale",
        !failed_product,
        failed_product,
    );
    let stranger = store
        .has_purchased(&format!("contract-customer-{}", new_id()), &product)
        .await
        .unwrap();
    rules.check(
        "has_purchased: false for another customer",
        !stranger,
        stranger,
    );
    let case = store
        .has_purchased(&customer, &product.to_uppercase())
        .await
        .unwrap();
    rules.check(
        "has_purchased matches the product id exactly (letter case included)",
        !case,
        case,
    );

    // history
    let buyer = format!("contract-customer-{}", new_id());
    let mut bought_ids = Vec::new();
    for created in [-300, -200, -100] {
        let s = bought(
            store,
            sale(&buyer, &[&product, &other_product], created, 3600),
        )
        .await;
        bought_ids.push(s.id);
    }
    bought_ids.reverse(); // newest first
    let pending_of_buyer = store
        .create(sale(&buyer, &[&product], -50, 3600))
        .await
        .unwrap();
    let failed_of_buyer = store
        .create(sale(&buyer, &[&product], -40, 3600))
        .await
        .unwrap();
    store
        .fail(&failed_of_buyer, FailureReason::OutOfStock, &[], &at(0))
        .await
        .unwrap();
    let (whole, _) = store.history(&buyer, None, 10).await.unwrap();
    rules.check(
        "history lists a customer's completed sales, newest first, no others",
        ids(&whole) == bought_ids.iter().map(String::as_str).collect::<Vec<_>>(),
        ids(&whole),
    );
    rules.check(
        "history leaves out pending and failed sales",
        !contains(&whole, &pending_of_buyer.id) && !contains(&whole, &failed_of_buyer.id),
        ids(&whole),
    );
    let (page, next) = store.history(&buyer, None, 2).await.unwrap();
    rules.check(
        "a history page holds at most `limit` sales, and a key when more may follow",
        page.len() == 2 && next.is_some(),
        (ids(&page), &next),
    );
    let mut seen: Vec<String> = page.iter().map(|s| s.id.clone()).collect();
    let mut start = next;
    let mut pages = 1;
    while let Some(key) = start.take() {
        let (page, next) = store.history(&buyer, Some(key), 2).await.unwrap();
        seen.extend(page.iter().map(|s| s.id.clone()));
        start = next;
        pages += 1;
        if pages > 5 {
            break;
        }
    }
    rules.check(
        "history pages, continued by their keys, list every sale once, in order, and end",
        seen == bought_ids && pages <= 3,
        (&seen, pages),
    );
    let (none, end) = store
        .history(&format!("contract-customer-{}", new_id()), None, 10)
        .await
        .unwrap();
    rules.check(
        "history of a customer without purchases is empty, without a key",
        none.is_empty() && end.is_none(),
        (ids(&none), end),
    );
    let purchased = store.has_purchased(&buyer, &other_product).await.unwrap();
    rules.check(
        "has_purchased: true for any line's product of a completed sale",
        purchased,
        purchased,
    );

    // bind_key, rebind_key
    let key = format!("key-{}", new_id());
    let (sale_a, sale_b) = (new_id(), new_id());
    let bound = store
        .bind_key(&customer, &key, &sale_a, "fingerprint-1")
        .await
        .unwrap();
    rules.check(
        "bind_key of a new key proceeds",
        bound == NextAction::Proceed,
        &bound,
    );
    let replay = store
        .bind_key(&customer, &key, &sale_b, "fingerprint-1")
        .await
        .unwrap();
    rules.check(
        "bind_key of a used key with the same request replays the sale it is bound to",
        replay == NextAction::Replay(sale_a.clone()),
        &replay,
    );
    let mismatch = store
        .bind_key(&customer, &key, &sale_b, "fingerprint-2")
        .await
        .unwrap();
    rules.check(
        "bind_key of a used key with another request answers Mismatch",
        mismatch == NextAction::Mismatch,
        &mismatch,
    );
    let other_owner = store
        .bind_key(&buyer, &key, &sale_b, "fingerprint-2")
        .await
        .unwrap();
    rules.check(
        "keys are the customer's own: another customer's same key proceeds",
        other_owner == NextAction::Proceed,
        &other_owner,
    );
    let record = store.get(&format!("idem#{customer}#{key}")).await.unwrap();
    rules.check(
        "get never answers a key's record as a sale",
        record.is_none(),
        &record,
    );
    let wrong = store
        .rebind_key(&customer, &key, &sale_b, &new_id())
        .await
        .unwrap();
    rules.check(
        "rebind_key from a sale the key does not point at answers false",
        !wrong,
        wrong,
    );
    let moved = store
        .rebind_key(&customer, &key, &sale_a, &sale_b)
        .await
        .unwrap();
    rules.check(
        "rebind_key from the sale the key points at answers true",
        moved,
        moved,
    );
    let replay = store
        .bind_key(&customer, &key, &new_id(), "fingerprint-1")
        .await
        .unwrap();
    rules.check(
        "a rebound key replays its new sale, for the same request",
        replay == NextAction::Replay(sale_b.clone()),
        &replay,
    );
    let stale = store
        .rebind_key(&customer, &key, &sale_a, &new_id())
        .await
        .unwrap();
    rules.check(
        "rebind_key from the key's former sale answers false",
        !stale,
        stale,
    );
    let missing = store
        .rebind_key(&customer, &format!("key-{}", new_id()), &sale_a, &sale_b)
        .await
        .unwrap();
    rules.check(
        "rebind_key of an unknown key answers false (and binds nothing)",
        !missing,
        missing,
    );

    leave_nothing_to_the_reconciler(store).await;
    rules.verdict("Sales", name)
}

/// Settles every sale of the suite's made-up customers, so that a reconciler sharing the
/// table (the end-to-end tests') finds nothing of the suite to deliver, roll back or refund:
/// their customers and products exist in no service.
async fn leave_nothing_to_the_reconciler(store: &impl Sales) {
    const END_OF_TIME: &str = "9999-12-31T23:59:59Z";
    let ours = |sale: &Sale| sale.customer_id.starts_with("contract-customer-");
    for sale in store
        .pending_past(END_OF_TIME)
        .await
        .unwrap()
        .iter()
        .filter(|s| ours(s))
    {
        let _ = store
            .fail(sale, FailureReason::Abandoned, &[], &at(0))
            .await
            .unwrap();
    }
    let refunding = store.refunds_pending_past(END_OF_TIME).await.unwrap();
    for sale in refunding.iter().filter(|s| ours(s)) {
        let pending: Vec<String> = sale.pending_refunds().map(|r| r.id.clone()).collect();
        let finished = pending.iter().fold(sale.clone(), |after, id| {
            after.with_refund_completed(id, &at(0))
        });
        let _ = store.revise(sale, &finished).await.unwrap();
    }
    // Last: a refund completed above asks for a report too.
    for sale in store
        .undelivered()
        .await
        .unwrap()
        .iter()
        .filter(|s| ours(s))
    {
        store.mark_delivered(&sale.id).await.unwrap();
    }
}

#[cfg(test)]
mod tests {
    use crate::memory::MemorySales;

    #[tokio::test]
    async fn the_double_keeps_the_sales_contract() {
        let checked = super::check(&MemorySales::default(), "MemorySales").await;
        println!("Sales contract, in-memory double: {checked} rules checked");
    }
}
