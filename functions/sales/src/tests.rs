//! The saga, the purchase and the reconciler in-process, against the doubles of
//! `crate::memory`: every step refused, failing before or after its effect, and stalled
//! while the reconciler runs. After each, money and stock are conserved: a completed
//! sale holds exactly its units and its total, a failed one nothing, and stock plus
//! what sales hold, and the wallet plus what sales hold, equal their starting values.

use crate::domain::{FailureReason, RefundOrder, Sale, SaleStatus};
use crate::memory::{Fault, Gate, MemoryPeers, MemorySales, Route};
use crate::purchase::{purchase, Order};
use crate::store::Sales;
use crate::{reconcile, refund, saga};
use edge::contracts::inventory::StockLine;
use edge::ids;
use edge::money::Cents;
use edge::ApiError;
use std::collections::HashMap;
use std::sync::Arc;
use testkit::Turns;

const PRODUCT: &str = "01JD8ZR1A2B3C4D5E6F7G8H9JK";
const OTHER: &str = "01JD8ZR1A2B3C4D5E6F7G8H9JM";
const OTHER_PRICE: i64 = 100;
const BUYER: &str = "01JD8ZQ5V8Y3N2K4M6P7R9S0TB";
const STOCK: i64 = 10;
const BALANCE: i64 = 1_000;
const PRICE: i64 = 250;
/// A deadline already past: the reconciler may roll the sale back at once.
const PAST: &str = "2000-01-01T00:00:00Z";
const FUTURE: &str = "2999-01-01T00:00:00Z";
/// When the reconciler runs in these tests: after `PAST`, before `FUTURE`.
const NOW: &str = "2026-12-01T00:00:00Z";

fn peers() -> MemoryPeers {
    MemoryPeers::default()
        .with_product(PRODUCT, PRICE, STOCK)
        .with_product(OTHER, OTHER_PRICE, STOCK)
        .with_wallet(BUYER, BALANCE)
}

fn line(product: &str, quantity: i64) -> StockLine {
    StockLine {
        product_id: product.into(),
        quantity,
    }
}

fn sale_of(customer: &str, lines: &[StockLine], deadline: &str) -> Sale {
    Sale::new(
        ids::new_id(),
        customer.into(),
        lines,
        "2026-12-01T00:00:00Z",
        deadline.into(),
    )
}

fn new_sale(quantity: i64, deadline: &str) -> Sale {
    sale_of(BUYER, &[line(PRODUCT, quantity)], deadline)
}

async fn pending(store: &MemorySales, quantity: i64, deadline: &str) -> Sale {
    store.create(new_sale(quantity, deadline)).await.unwrap()
}

async fn current(store: &MemorySales, id: &str) -> Sale {
    store.get(id).await.unwrap().unwrap()
}

/// Every bought sale holds its units and its total exactly once, a failed one nothing;
/// every completed refund gave its money (and stock, when asked) back exactly once, a
/// pending one at most once; and stock and money are conserved over all of them.
fn assert_conserved(store: &MemorySales, peers: &MemoryPeers) {
    for sale in store.all() {
        let (held_units, held_cents) = peers.held(&sale.id);
        let units: i64 = sale.items.iter().map(|l| l.quantity.units()).sum();
        match sale.status {
            _ if sale.is_bought() => {
                assert_eq!(
                    held_units, units,
                    "bought sale {} without its stock",
                    sale.id
                );
                assert_eq!(
                    Some(held_cents),
                    sale.total_cents.map(Cents::get),
                    "bought sale {} without its money",
                    sale.id
                );
            }
            SaleStatus::Failed => {
                assert_eq!(
                    (held_units, held_cents),
                    (0, 0),
                    "failed sale {} holds stock or money",
                    sale.id
                )
            }
            _ => {}
        }
        for refund in &sale.refunds {
            let restock: i64 = refund.items.iter().map(|l| l.quantity).sum();
            let expected = (
                refund.amount_cents.get(),
                if refund.restocked { restock } else { 0 },
            );
            let given = peers.refunded(&refund.id);
            if refund.is_completed() {
                assert_eq!(given, expected, "refund {} not given back once", refund.id);
            } else {
                assert!(
                    given == expected || given.0 <= expected.0 && given.1 == 0,
                    "{given:?}"
                );
            }
        }
    }
    for product in [PRODUCT, OTHER] {
        assert_eq!(
            peers.stocked(product),
            STOCK,
            "stock of {product} not conserved"
        );
    }
    assert_eq!(peers.funds(BUYER), BALANCE, "money not conserved");
}

fn failure(sale: &Sale) -> Option<FailureReason> {
    assert_eq!(sale.status, SaleStatus::Failed, "{sale:?}");
    sale.failure
}

#[tokio::test]
async fn a_purchase_takes_stock_and_money_once_even_when_run_again() {
    let (store, peers) = (MemorySales::default(), peers());
    let sale = pending(&store, 2, FUTURE).await;
    let done = saga::run(&store, &peers, sale.clone()).await.unwrap();
    assert_eq!(done.status, SaleStatus::Completed);
    assert_eq!(done.total_cents, Some(Cents::new(2 * PRICE)));
    // A retry resuming the same sale: every step is idempotent by sale id.
    let again = saga::run(&store, &peers, sale.clone()).await.unwrap();
    assert_eq!(again.status, SaleStatus::Completed);
    assert_eq!(peers.stock(PRODUCT), STOCK - 2);
    assert_eq!(peers.balance(BUYER), BALANCE - 2 * PRICE);
    assert!(peers.recorded(&format!("sale-{}-{PRODUCT}", sale.id)));
    assert!(store.undelivered().await.unwrap().is_empty());
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn refusals_fail_the_sale_and_give_everything_back() {
    let cases = [
        (STOCK + 1, PRODUCT, BUYER, FailureReason::OutOfStock),
        (5, PRODUCT, BUYER, FailureReason::InsufficientFunds),
        (
            1,
            "01JD8ZR1A2B3C4D5E6F7G8H9ZZ",
            BUYER,
            FailureReason::ProductNotFound,
        ),
        (
            1,
            PRODUCT,
            "01JD8ZQ5V8Y3N2K4M6P7R9S0ZZ",
            FailureReason::CustomerNotFound,
        ),
    ];
    for (quantity, product, customer, expected) in cases {
        let (store, peers) = (MemorySales::default(), peers());
        let sale = sale_of(customer, &[line(product, quantity)], FUTURE);
        let sale = store.create(sale).await.unwrap();
        let failed = saga::run(&store, &peers, sale).await.unwrap();
        assert_eq!(failure(&failed), Some(expected));
        assert_eq!(peers.stock(PRODUCT), STOCK, "{expected:?}");
        assert_eq!(peers.balance(BUYER), BALANCE, "{expected:?}");
    }
}

#[tokio::test]
async fn a_step_without_an_answer_is_undone_whether_or_not_it_happened() {
    for (route, fault) in [
        (Route::Reserve, Fault::Unavailable),
        (Route::Reserve, Fault::AnswerLost),
        (Route::Charge, Fault::Unavailable),
        (Route::Charge, Fault::AnswerLost),
    ] {
        let (store, peers) = (MemorySales::default(), peers());
        peers.fail_next(route, fault.clone());
        let sale = pending(&store, 3, FUTURE).await;
        let failed = saga::run(&store, &peers, sale).await.unwrap();
        assert_eq!(
            failure(&failed),
            Some(FailureReason::Unavailable),
            "{route:?}"
        );
        assert_eq!(peers.stock(PRODUCT), STOCK, "{route:?}");
        assert_eq!(peers.balance(BUYER), BALANCE, "{route:?}");
        assert_conserved(&store, &peers);
    }
}

#[tokio::test]
async fn an_undo_without_an_answer_leaves_the_sale_to_the_reconciler() {
    for (first, undo) in [
        (Route::Charge, Route::Refund),
        (Route::Charge, Route::Release),
        (Route::Reserve, Route::Release),
    ] {
        let (store, peers) = (MemorySales::default(), peers());
        peers.fail_next(first, Fault::AnswerLost);
        peers.fail_next(undo, Fault::Unavailable);
        let sale = pending(&store, 3, PAST).await;
        let err = saga::run(&store, &peers, sale.clone()).await.unwrap_err();
        assert!(
            matches!(err, ApiError::Unavailable(_)),
            "{first:?}/{undo:?}: {err:?}"
        );
        assert_eq!(current(&store, &sale.id).await.status, SaleStatus::Pending);
        assert_conserved(&store, &peers);

        let report = reconcile::run(&store, &peers, NOW).await.unwrap();
        assert_eq!(
            (report.examined, report.rolled_back),
            (1, 1),
            "{first:?}/{undo:?}"
        );
        assert_eq!(
            failure(&current(&store, &sale.id).await),
            Some(FailureReason::Abandoned)
        );
        assert_eq!(
            (peers.stock(PRODUCT), peers.balance(BUYER)),
            (STOCK, BALANCE)
        );
        // A second run finds nothing left to do.
        let report = reconcile::run(&store, &peers, NOW).await.unwrap();
        assert_eq!(report.examined, 0);
    }
}

#[tokio::test]
async fn the_reconciler_waits_for_the_deadline_and_retries_an_undo_without_an_answer() {
    let (store, peers) = (MemorySales::default(), peers());
    let live = pending(&store, 1, FUTURE).await;
    let stuck = pending(&store, 1, PAST).await;
    peers.fail_next(Route::Refund, Fault::Unavailable);
    let report = reconcile::run(&store, &peers, NOW).await.unwrap();
    assert_eq!((report.examined, report.still_pending), (1, 1));
    assert_eq!(current(&store, &stuck.id).await.status, SaleStatus::Pending);
    let report = reconcile::run(&store, &peers, NOW).await.unwrap();
    assert_eq!(report.rolled_back, 1);
    assert_eq!(current(&store, &live.id).await.status, SaleStatus::Pending);
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn a_purchase_the_recommender_did_not_hear_of_is_delivered_by_the_reconciler() {
    let (store, peers) = (MemorySales::default(), peers());
    peers.fail_next(Route::Record, Fault::Unavailable);
    let sale = pending(&store, 1, FUTURE).await;
    assert_eq!(
        saga::run(&store, &peers, sale.clone())
            .await
            .unwrap()
            .status,
        SaleStatus::Completed
    );
    assert_eq!(store.undelivered().await.unwrap().len(), 1);
    let report = reconcile::run(&store, &peers, NOW).await.unwrap();
    assert_eq!((report.delivered, report.undelivered), (1, 0));
    assert!(peers.recorded(&format!("sale-{}-{PRODUCT}", sale.id)));
    assert!(store.undelivered().await.unwrap().is_empty());
}

/// The live saga stalls at `route` past its deadline; the reconciler rolls the sale
/// back meanwhile; then the stalled call goes through. The tombstone the reconciler
/// left makes the late step fail, and the sale ends failed holding nothing.
async fn stalled_live_saga_meets_the_reconciler(route: Route) {
    let (store, peers) = (MemorySales::default(), peers());
    let gate = Gate::new();
    peers.fail_next(route, Fault::Stall(gate.clone()));
    let sale = pending(&store, 4, PAST).await;
    let (live, ()) = tokio::join!(saga::run(&store, &peers, sale.clone()), async {
        gate.arrived().await;
        let report = reconcile::run(&store, &peers, NOW).await.unwrap();
        assert_eq!(report.rolled_back, 1, "{route:?}");
        gate.open();
    });
    let live = live.unwrap();
    assert_eq!(live.status, SaleStatus::Failed, "{route:?}");
    assert_eq!(current(&store, &sale.id).await.status, SaleStatus::Failed);
    assert_eq!(
        (peers.stock(PRODUCT), peers.balance(BUYER)),
        (STOCK, BALANCE),
        "{route:?}"
    );
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn a_reservation_arriving_after_the_roll_back_cannot_take_stock() {
    stalled_live_saga_meets_the_reconciler(Route::Reserve).await;
}

#[tokio::test]
async fn a_charge_arriving_after_the_roll_back_cannot_take_money() {
    stalled_live_saga_meets_the_reconciler(Route::Charge).await;
}

/// The reconciler has refunded (leaving a tombstone) and stalls before releasing; the
/// live saga, stalled at its charge, goes on: its charge is refused, it undoes its
/// reservation itself, and the reconciler's late release changes nothing.
#[tokio::test]
async fn a_saga_and_the_reconciler_undoing_the_same_sale_undo_it_once() {
    let (store, peers) = (MemorySales::default(), peers());
    let (charge_gate, release_gate) = (Gate::new(), Gate::new());
    peers.fail_next(Route::Charge, Fault::Stall(charge_gate.clone()));
    let sale = pending(&store, 4, PAST).await;
    let live = async {
        let live = saga::run(&store, &peers, sale.clone()).await;
        release_gate.open();
        live
    };
    let reconciler = async {
        charge_gate.arrived().await;
        peers.fail_next(Route::Release, Fault::Stall(release_gate.clone()));
        let reconciled = reconcile::run(&store, &peers, NOW);
        let opener = async {
            release_gate.arrived().await;
            charge_gate.open();
        };
        let (report, ()) = tokio::join!(reconciled, opener);
        report.unwrap()
    };
    let (live, report) = tokio::join!(live, reconciler);
    // Its charge met the reconciler's tombstone: the reconciler's roll-back, so transient.
    assert_eq!(failure(&live.unwrap()), Some(FailureReason::Abandoned));
    assert_eq!(report.examined, 1);
    assert_eq!(peers.calls(Route::Release), 2);
    assert_eq!(
        (peers.stock(PRODUCT), peers.balance(BUYER)),
        (STOCK, BALANCE)
    );
    assert_conserved(&store, &peers);
}

fn order(quantity: i64) -> Order<'static> {
    Order {
        customer_id: BUYER,
        lines: vec![line(PRODUCT, quantity)],
        deadline_seconds: 60,
    }
}

#[tokio::test]
async fn a_key_replays_its_purchase_and_refuses_another_body() {
    let (store, peers) = (MemorySales::default(), peers());
    let first = purchase(&store, &peers, &order(2), Some("k1"))
        .await
        .unwrap();
    let again = purchase(&store, &peers, &order(2), Some("k1"))
        .await
        .unwrap();
    assert_eq!(first.id, again.id);
    assert_eq!(peers.calls(Route::Charge), 1, "a replay calls nothing");
    let other = purchase(&store, &peers, &order(3), Some("k1"))
        .await
        .unwrap_err();
    assert!(matches!(other, ApiError::Validation(_)), "{other:?}");
    assert_eq!(store.all().len(), 1);
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn concurrent_requests_with_one_key_make_one_sale() {
    let (store, peers) = (MemorySales::default(), peers());
    let gate = Gate::new();
    peers.fail_next(Route::Charge, Fault::Stall(gate.clone()));
    let one = order(1);
    let (first, second) = tokio::join!(purchase(&store, &peers, &one, Some("k")), async {
        gate.arrived().await;
        // The first attempt is mid-saga: the retry resumes the same sale.
        let retry = purchase(&store, &peers, &one, Some("k")).await;
        gate.open();
        retry
    });
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!(first.id, second.id);
    assert_eq!(first.status, SaleStatus::Completed);
    assert_eq!(store.all().len(), 1);
    assert_eq!(peers.balance(BUYER), BALANCE - PRICE);
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn a_key_retries_after_a_transient_failure_and_keeps_a_final_one() {
    let (store, peers) = (MemorySales::default(), peers());
    peers.fail_next(Route::Reserve, Fault::Unavailable);
    let failed = purchase(&store, &peers, &order(1), Some("k"))
        .await
        .unwrap();
    assert_eq!(failure(&failed), Some(FailureReason::Unavailable));
    let retried = purchase(&store, &peers, &order(1), Some("k"))
        .await
        .unwrap();
    assert_ne!(retried.id, failed.id, "a new attempt");
    assert_eq!(retried.status, SaleStatus::Completed);
    let replayed = purchase(&store, &peers, &order(1), Some("k"))
        .await
        .unwrap();
    assert_eq!(replayed.id, retried.id);

    let refused = purchase(&store, &peers, &order(STOCK), Some("k2"))
        .await
        .unwrap();
    assert_eq!(failure(&refused), Some(FailureReason::OutOfStock));
    let again = purchase(&store, &peers, &order(STOCK), Some("k2"))
        .await
        .unwrap();
    assert_eq!(
        again.id, refused.id,
        "a final failure is replayed, not retried"
    );
    assert_conserved(&store, &peers);
}

/// Where a purchase with key "k" was cut short, as its retry finds it after the deadline.
#[derive(Clone, Copy, Debug)]
enum LeftBehind {
    /// No attempt yet: the purchase is live.
    Nothing,
    /// The reservation's answer was lost, and so was its release.
    Reserved,
    /// The reservation failed before its effect, and its release got no answer.
    Unreserved,
    /// Charged, the answer lost, and the refund got no answer.
    Charged,
    /// The charge failed before its effect, and the refund got no answer.
    Uncharged,
}

/// A store and peers sharing `turns`, after a first attempt left `left` behind.
async fn cut_short(left: LeftBehind, turns: &Arc<Turns>) -> (MemorySales, MemoryPeers) {
    let store = MemorySales::with_turns(turns.clone());
    let peers = peers().with_turns(turns.clone());
    let faults = match left {
        LeftBehind::Nothing => return (store, peers),
        LeftBehind::Reserved => [
            (Route::Reserve, Fault::AnswerLost),
            (Route::Release, Fault::Unavailable),
        ],
        LeftBehind::Unreserved => [
            (Route::Reserve, Fault::Unavailable),
            (Route::Release, Fault::Unavailable),
        ],
        LeftBehind::Charged => [
            (Route::Charge, Fault::AnswerLost),
            (Route::Refund, Fault::Unavailable),
        ],
        LeftBehind::Uncharged => [
            (Route::Charge, Fault::Unavailable),
            (Route::Refund, Fault::Unavailable),
        ],
    };
    for (route, fault) in faults {
        peers.fail_next(route, fault);
    }
    let first = purchase(&store, &peers, &order_due_now(2), Some("k")).await;
    assert!(
        matches!(first, Err(ApiError::Unavailable(_))),
        "{left:?}: {first:?}"
    );
    assert_eq!(store.all()[0].status, SaleStatus::Pending);
    (store, peers)
}

/// An order of two lines whose sale is due at once: the reconciler, running at `LATER`,
/// may take it.
fn order_due_now(quantity: i64) -> Order<'static> {
    Order {
        deadline_seconds: 0,
        ..two_lines(quantity, 1)
    }
}

const LATER: &str = "3000-01-01T00:00:00Z";

/// Every interleaving of a purchase (live, or the retry of one cut short anywhere) with
/// the reconciler, step by step over both stores: the reconciler claims a sale before
/// undoing it, and a claimed sale cannot complete, so a completed sale always holds its
/// stock and money exactly once and a failed one holds nothing; the buyer's answer agrees
/// with the sale as stored.
#[tokio::test]
async fn every_interleaving_of_a_purchase_and_the_reconciler_conserves_money_and_stock() {
    const RECONCILER: usize = 0;
    const BUYER_RETRY: usize = 1;
    let mut outcomes = HashMap::<&str, usize>::new();
    for left in [
        LeftBehind::Nothing,
        LeftBehind::Reserved,
        LeftBehind::Unreserved,
        LeftBehind::Charged,
        LeftBehind::Uncharged,
    ] {
        // The reconciler takes up to 6 steps (list, claim, refund, release, fail, list
        // undelivered) and the purchase up to 9 (key, get or create, reserve, charge,
        // complete, get, refund, release, fail); later steps run freely.
        for script in Turns::interleavings(6, 9) {
            // The first attempt runs outside any actor: its steps are not held.
            let turns = Arc::new(Turns::new(script.clone()));
            let (store, peers) = cut_short(left, &turns).await;
            let retry = order_due_now(2);
            let (report, answer) = tokio::join!(
                turns.act(RECONCILER, reconcile::run(&store, &peers, LATER)),
                turns.act(BUYER_RETRY, purchase(&store, &peers, &retry, Some("k"))),
            );
            report.unwrap();
            let why = format!("{left:?}, turns {script:?}");
            for sale in store.all() {
                assert_ne!(sale.status, SaleStatus::Pending, "{why}: {sale:?}");
            }
            let answer = answer.unwrap_or_else(|e| panic!("{why}: {e:?}"));
            let stored = current(&store, &answer.id).await;
            assert_eq!(answer.status, stored.status, "{why}");
            // A sale rolled back failed for want of time, never as the buyer's conflict: a
            // retry with the key may try again.
            assert_ne!(stored.failure, Some(FailureReason::Conflict), "{why}");
            *outcomes
                .entry(if stored.is(SaleStatus::Completed) {
                    "completed"
                } else {
                    "failed"
                })
                .or_default() += 1;
            assert_conserved(&store, &peers);
        }
    }
    // Both outcomes happen: the interleavings reach the race.
    assert!(outcomes.len() == 2, "{outcomes:?}");
    println!("a retry and the reconciler: {outcomes:?} over 5 states left behind");
}

/// What one call of a first attempt did: answered, not made, made with its answer lost,
/// or made late, after the attempt gave up on it.
fn outcome(i: usize) -> Option<Fault> {
    [
        None,
        Some(Fault::Unavailable),
        Some(Fault::AnswerLost),
        Some(Fault::Late),
    ][i]
        .clone()
}

/// When the calls a first attempt made late land.
#[derive(Clone, Copy, Debug)]
enum Landing {
    BeforeTheRetry,
    AfterTheRetry,
}

/// Every state a first attempt can leave — each of its calls (reserve, charge, and the
/// undos refund and release) answered, not made, made with its answer lost, or made
/// late after it gave up — against a retry with the key before the sale's deadline and
/// after the reconciler ran, with the late calls landing before or after the retry. The
/// retry completes (stock and money allow it) and exactly one sale holds the order.
#[tokio::test]
async fn a_retry_completes_whatever_state_an_earlier_attempt_left() {
    const ROUTES: [Route; 4] = [Route::Reserve, Route::Charge, Route::Refund, Route::Release];
    let (mut states, mut runs) = (0, 0);
    for code in 0..4usize.pow(ROUTES.len() as u32) {
        let faults: Vec<(Route, Fault)> = ROUTES
            .iter()
            .enumerate()
            .filter_map(|(i, route)| outcome(code / 4usize.pow(i as u32) % 4).map(|f| (*route, f)))
            .collect();
        let mut distinct = true;
        for overdue in [false, true] {
            for landing in [Landing::BeforeTheRetry, Landing::AfterTheRetry] {
                let why = format!("{faults:?}, overdue {overdue}, {landing:?}");
                let (store, peers) = (MemorySales::default(), peers());
                for (route, fault) in &faults {
                    peers.fail_next(*route, fault.clone());
                }
                let order = if overdue {
                    order_due_now(2)
                } else {
                    two_lines(2, 1)
                };
                let first = purchase(&store, &peers, &order, Some("k")).await;
                assert!(
                    matches!(&first, Ok(_) | Err(ApiError::Unavailable(_))),
                    "{why}: {first:?}"
                );
                // A fault on a call the attempt never made leaves the state of another case.
                if peers.clear_faults() {
                    distinct = false;
                    break;
                }
                if overdue {
                    reconcile::run(&store, &peers, LATER).await.unwrap();
                }
                if let Landing::BeforeTheRetry = landing {
                    peers.land_late().await;
                }
                let retried = purchase(&store, &peers, &order, Some("k")).await;
                let retried = retried.unwrap_or_else(|e| panic!("{why}: {e:?}"));
                assert_eq!(retried.status, SaleStatus::Completed, "{why}: {retried:?}");
                peers.land_late().await;
                reconcile::run(&store, &peers, LATER).await.unwrap();
                let completed: Vec<Sale> = store
                    .all()
                    .into_iter()
                    .filter(|sale| sale.is(SaleStatus::Completed))
                    .collect();
                assert_eq!(completed.len(), 1, "{why}: one sale holds the order");
                assert_eq!(completed[0].id, retried.id, "{why}");
                for sale in store.all() {
                    assert_ne!(sale.status, SaleStatus::Pending, "{why}: {sale:?}");
                }
                assert_eq!(
                    peers.balance(BUYER),
                    BALANCE - 2 * PRICE - OTHER_PRICE,
                    "{why}"
                );
                assert_conserved(&store, &peers);
                runs += 1;
            }
            if !distinct {
                break;
            }
        }
        states += usize::from(distinct);
    }
    println!(
        "{states} states an attempt can leave; {runs} retries, each conserving stock and money"
    );
    assert!(states >= 40, "{states}");
}

/// Two attempts with one key at once (a retry beside the live first attempt), with a
/// fault on one call of either, in every interleaving of their first steps, and the
/// reconciler afterwards: neither undoes what the other completed (every undo claims the
/// sale first, and a claimed sale cannot complete), so a completed sale holds its stock
/// and money exactly once, and the key ends bound to at most one completed sale.
#[tokio::test]
async fn every_interleaving_of_two_attempts_with_one_key_conserves_money_and_stock() {
    let variants: Vec<Vec<(Route, Vec<Fault>)>> = vec![
        vec![],
        vec![(Route::Reserve, vec![Fault::Answered, Fault::Unavailable])],
        vec![(Route::Reserve, vec![Fault::AnswerLost])],
        vec![(Route::Charge, vec![Fault::Answered, Fault::Unavailable])],
        vec![(Route::Charge, vec![Fault::AnswerLost])],
        vec![(Route::Charge, vec![Fault::Late])],
        vec![
            (Route::Charge, vec![Fault::AnswerLost]),
            (Route::Release, vec![Fault::Unavailable]),
        ],
    ];
    let mut outcomes = HashMap::<&str, usize>::new();
    let mut runs = 0;
    for faults in &variants {
        for script in Turns::interleavings(7, 7) {
            let turns = Arc::new(Turns::new(script.clone()));
            let store = MemorySales::with_turns(turns.clone());
            let peers = peers().with_turns(turns.clone());
            for (route, queue) in faults {
                for fault in queue {
                    peers.fail_next(*route, fault.clone());
                }
            }
            let order = order_due_now(2);
            let (first, retry) = tokio::join!(
                turns.act(0, purchase(&store, &peers, &order, Some("k"))),
                turns.act(1, purchase(&store, &peers, &order, Some("k"))),
            );
            let why = format!("{faults:?}, turns {script:?}: {first:?} / {retry:?}");
            peers.land_late().await;
            reconcile::run(&store, &peers, LATER).await.unwrap();
            let completed: Vec<Sale> = store
                .all()
                .into_iter()
                .filter(|sale| sale.is(SaleStatus::Completed))
                .collect();
            assert!(completed.len() <= 1, "{why}");
            for answer in [&first, &retry] {
                match answer {
                    Ok(sale) => {
                        let stored = current(&store, &sale.id).await;
                        if sale.is(SaleStatus::Completed) {
                            assert_eq!(stored.status, SaleStatus::Completed, "{why}");
                        }
                        assert_ne!(sale.failure, Some(FailureReason::Conflict), "{why}");
                    }
                    Err(ApiError::Unavailable(_)) => {}
                    Err(other) => panic!("{why}: {other:?}"),
                }
            }
            for sale in store.all() {
                assert_ne!(sale.status, SaleStatus::Pending, "{why}: {sale:?}");
            }
            assert_conserved(&store, &peers);
            *outcomes
                .entry(if completed.is_empty() {
                    "failed"
                } else {
                    "completed"
                })
                .or_default() += 1;
            runs += 1;
        }
    }
    println!("two attempts with one key: {runs} interleavings, {outcomes:?}");
}

/// Two attempts with one key and the reconciler, all three at once past the sale's
/// deadline, in every interleaving of their first steps: whoever undoes claims first,
/// so stock and money are conserved whichever finishes the sale.
#[tokio::test]
async fn every_interleaving_of_two_attempts_and_the_reconciler_conserves_money_and_stock() {
    let mut outcomes = HashMap::<&str, usize>::new();
    let mut runs = 0;
    for faults in [vec![], vec![(Route::Charge, Fault::AnswerLost)]] {
        for script in Turns::interleavings_of(&[4, 4, 3]) {
            let turns = Arc::new(Turns::new(script.clone()));
            let store = MemorySales::with_turns(turns.clone());
            let peers = peers().with_turns(turns.clone());
            for (route, fault) in &faults {
                peers.fail_next(*route, fault.clone());
            }
            let order = order_due_now(2);
            let (first, retry, report) = tokio::join!(
                turns.act(0, purchase(&store, &peers, &order, Some("k"))),
                turns.act(1, purchase(&store, &peers, &order, Some("k"))),
                turns.act(2, reconcile::run(&store, &peers, LATER)),
            );
            let why = format!("{faults:?}, turns {script:?}: {first:?} / {retry:?}");
            report.unwrap();
            reconcile::run(&store, &peers, LATER).await.unwrap();
            for answer in [&first, &retry] {
                assert!(
                    matches!(answer, Ok(_) | Err(ApiError::Unavailable(_))),
                    "{why}"
                );
            }
            let completed = store
                .all()
                .into_iter()
                .filter(|sale| sale.is(SaleStatus::Completed))
                .count();
            assert!(completed <= 1, "{why}");
            for sale in store.all() {
                assert_ne!(sale.status, SaleStatus::Pending, "{why}: {sale:?}");
            }
            assert_conserved(&store, &peers);
            *outcomes
                .entry(if completed == 0 {
                    "failed"
                } else {
                    "completed"
                })
                .or_default() += 1;
            runs += 1;
        }
    }
    println!("two attempts and the reconciler: {runs} interleavings, {outcomes:?}");
}

fn two_lines(lamp: i64, other: i64) -> Order<'static> {
    Order {
        customer_id: BUYER,
        lines: vec![line(PRODUCT, lamp), line(OTHER, other)],
        deadline_seconds: 60,
    }
}

#[tokio::test]
async fn an_order_of_several_lines_takes_each_lines_stock_and_one_charge_of_the_total() {
    let (store, peers) = (MemorySales::default(), peers());
    let sale = purchase(&store, &peers, &two_lines(2, 3), None)
        .await
        .unwrap();
    assert_eq!(sale.status, SaleStatus::Completed);
    let prices: Vec<Option<i64>> = sale
        .items
        .iter()
        .map(|l| l.unit_price_cents.map(Cents::get))
        .collect();
    assert_eq!(prices, [Some(PRICE), Some(OTHER_PRICE)]);
    assert_eq!(
        sale.total_cents,
        Some(Cents::new(2 * PRICE + 3 * OTHER_PRICE))
    );
    assert_eq!(
        (peers.stock(PRODUCT), peers.stock(OTHER)),
        (STOCK - 2, STOCK - 3)
    );
    assert_eq!(peers.balance(BUYER), BALANCE - 2 * PRICE - 3 * OTHER_PRICE);
    assert_eq!(peers.calls(Route::Charge), 1, "one charge for the order");
    // The recommender hears of each line.
    assert_eq!(
        peers.strength(&format!("sale-{}-{PRODUCT}", sale.id)),
        Some(2.0)
    );
    assert_eq!(
        peers.strength(&format!("sale-{}-{OTHER}", sale.id)),
        Some(3.0)
    );
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn a_refused_order_names_every_failing_line_and_takes_nothing() {
    let (store, peers) = (MemorySales::default(), peers());
    let short = purchase(&store, &peers, &two_lines(STOCK + 1, STOCK + 2), Some("k"))
        .await
        .unwrap();
    assert_eq!(failure(&short), Some(FailureReason::OutOfStock));
    let fields: Vec<&str> = short
        .failed_lines
        .iter()
        .map(|e| e.field.as_str())
        .collect();
    assert_eq!(fields, ["items[0].quantity", "items[1].quantity"]);
    // A replay answers the same lines.
    let again = purchase(&store, &peers, &two_lines(STOCK + 1, STOCK + 2), Some("k"))
        .await
        .unwrap();
    assert_eq!(again.failed_lines, short.failed_lines);
    // The total is more than the wallet: 402, and no line keeps its stock.
    let dear = purchase(&store, &peers, &two_lines(4, 1), None)
        .await
        .unwrap();
    assert_eq!(failure(&dear), Some(FailureReason::InsufficientFunds));
    assert_eq!((peers.stock(PRODUCT), peers.stock(OTHER)), (STOCK, STOCK));
    assert_eq!(peers.balance(BUYER), BALANCE);
    assert_conserved(&store, &peers);
}

fn refund_order(sale: &Sale, lines: &[(&str, i64)], restock: bool) -> RefundOrder {
    RefundOrder {
        sale_id: sale.id.clone(),
        lines: lines.iter().map(|(p, q)| line(p, *q)).collect(),
        reason: "damaged in transit".into(),
        restock,
        admin_id: "01JD8ZQ5V8Y3N2K4M6P7R9S0AD".into(),
    }
}

async fn bought(store: &MemorySales, peers: &MemoryPeers) -> Sale {
    purchase(store, peers, &two_lines(3, 2), None)
        .await
        .unwrap()
}

#[tokio::test]
async fn refunds_give_money_and_stock_back_once_and_never_more_than_was_bought() {
    let (store, peers) = (MemorySales::default(), peers());
    let sale = bought(&store, &peers).await;
    let paid = peers.balance(BUYER);
    // Part of one line, restocked.
    let order = refund_order(&sale, &[(PRODUCT, 1)], true);
    let (after, id) = refund::refund(&store, &peers, &order, Some("r"), 60)
        .await
        .unwrap();
    assert_eq!(after.status, SaleStatus::PartiallyRefunded);
    assert_eq!(
        (after.refunded_cents.get(), peers.balance(BUYER)),
        (PRICE, paid + PRICE)
    );
    assert_eq!(peers.stock(PRODUCT), STOCK - 2);
    // The same key answers the same refund and gives nothing twice.
    let (_, again) = refund::refund(&store, &peers, &order, Some("r"), 60)
        .await
        .unwrap();
    assert_eq!(again, id);
    assert_eq!(peers.balance(BUYER), paid + PRICE);
    // More than is left: 409, nothing moves.
    let over = refund_order(&sale, &[(PRODUCT, 3)], false);
    let err = refund::refund(&store, &peers, &over, None, 60)
        .await
        .unwrap_err();
    assert_eq!(err.status(), 409);
    assert_eq!(err.field_errors()[0].field, "items[0].quantity");
    // The rest, without restocking: the sale is refunded whole.
    let rest = refund_order(&sale, &[(PRODUCT, 2), (OTHER, 2)], false);
    let (after, _) = refund::refund(&store, &peers, &rest, None, 60)
        .await
        .unwrap();
    assert_eq!(after.status, SaleStatus::Refunded);
    assert_eq!(Some(after.refunded_cents), after.total_cents);
    assert_eq!(peers.balance(BUYER), BALANCE);
    assert_eq!(
        (peers.stock(PRODUCT), peers.stock(OTHER)),
        (STOCK - 2, STOCK - 2)
    );
    // The recommender hears of what is left of each line: nothing.
    assert_eq!(
        peers.strength(&format!("sale-{}-{PRODUCT}", sale.id)),
        Some(0.0)
    );
    let once_more = refund_order(&sale, &[(OTHER, 1)], false);
    assert_eq!(
        refund::refund(&store, &peers, &once_more, None, 60)
            .await
            .unwrap_err()
            .status(),
        409
    );
    assert_conserved(&store, &peers);
}

#[tokio::test]
async fn concurrent_refunds_give_back_exactly_what_is_left() {
    let (store, peers) = (MemorySales::default(), peers());
    let sale = bought(&store, &peers).await;
    let one = refund_order(&sale, &[(PRODUCT, 1)], true);
    let results =
        futures::future::join_all((0..5).map(|_| refund::refund(&store, &peers, &one, None, 60)))
            .await;
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 3);
    assert!(results.iter().flatten().count() == 3);
    let after = current(&store, &sale.id).await;
    assert_eq!(after.items[0].refunded_quantity, 3);
    assert_eq!(peers.stock(PRODUCT), STOCK);
    assert_conserved(&store, &peers);
}

/// A refund cut short at each of its steps is finished by the reconciler, once.
#[tokio::test]
async fn a_refund_interrupted_at_any_step_is_finished_by_the_reconciler_once() {
    for (route, fault) in [
        (Route::Credit, Fault::Unavailable),
        (Route::Credit, Fault::AnswerLost),
        (Route::Restock, Fault::Unavailable),
        (Route::Restock, Fault::AnswerLost),
    ] {
        let (store, peers) = (MemorySales::default(), peers());
        let sale = bought(&store, &peers).await;
        peers.fail_next(route, fault.clone());
        let order = refund_order(&sale, &[(PRODUCT, 2), (OTHER, 1)], true);
        let (after, id) = refund::refund(&store, &peers, &order, None, 0)
            .await
            .unwrap();
        assert!(!after.refund(&id).unwrap().is_completed(), "{route:?}");
        assert_conserved(&store, &peers);
        let report = reconcile::run(&store, &peers, LATER).await.unwrap();
        assert_eq!(report.refunds_finished, 1, "{route:?}");
        let after = current(&store, &sale.id).await;
        assert!(after.refund(&id).unwrap().is_completed(), "{route:?}");
        assert_eq!(
            peers.balance(BUYER),
            BALANCE - (PRICE + OTHER_PRICE),
            "one of each kept"
        );
        assert_eq!(
            (peers.stock(PRODUCT), peers.stock(OTHER)),
            (STOCK - 1, STOCK - 1)
        );
        let report = reconcile::run(&store, &peers, LATER).await.unwrap();
        assert_eq!(report.refunds_finished + report.refunds_pending, 0);
        assert_conserved(&store, &peers);
    }
}

/// Every interleaving of a retried refund (its first attempt lost the credit's answer)
/// with the reconciler finishing it: the money and the stock come back exactly once.
#[tokio::test]
async fn every_interleaving_of_a_refund_retry_and_the_reconciler_gives_back_once() {
    const RECONCILER: usize = 0;
    const ADMIN: usize = 1;
    let mut runs = 0;
    for script in Turns::interleavings(8, 8) {
        let turns = Arc::new(Turns::new(script.clone()));
        let store = MemorySales::with_turns(turns.clone());
        let peers = peers().with_turns(turns.clone());
        let sale = bought(&store, &peers).await;
        peers.fail_next(Route::Credit, Fault::AnswerLost);
        let order = refund_order(&sale, &[(PRODUCT, 2), (OTHER, 1)], true);
        let (first, id) = refund::refund(&store, &peers, &order, Some("k"), 0)
            .await
            .unwrap();
        assert!(!first.refund(&id).unwrap().is_completed());
        let (report, retry) = tokio::join!(
            turns.act(RECONCILER, reconcile::run(&store, &peers, LATER)),
            turns.act(ADMIN, refund::refund(&store, &peers, &order, Some("k"), 0)),
        );
        report.unwrap();
        let (_, again) = retry.unwrap();
        assert_eq!(again, id, "turns {script:?}");
        let after = current(&store, &sale.id).await;
        assert!(
            after.refund(&id).unwrap().is_completed(),
            "turns {script:?}"
        );
        assert_eq!(after.refunds.len(), 1);
        assert_eq!(
            peers.balance(BUYER),
            BALANCE - (PRICE + OTHER_PRICE),
            "one of each kept"
        );
        assert_conserved(&store, &peers);
        runs += 1;
    }
    assert_eq!(runs, 12_870);
}

/// Every interleaving of two admins refunding 2 of a line's 3 units: the refund is
/// recorded by a write conditional on the sale's revision, so exactly one of them is.
#[tokio::test]
async fn every_interleaving_of_two_racing_refunds_records_only_what_is_left() {
    for script in Turns::interleavings(4, 4) {
        let turns = Arc::new(Turns::new(script.clone()));
        let store = MemorySales::with_turns(turns.clone());
        let peers = peers().with_turns(turns.clone());
        let sale = bought(&store, &peers).await;
        let order = refund_order(&sale, &[(PRODUCT, 2)], true);
        let (first, second) = tokio::join!(
            turns.act(0, refund::refund(&store, &peers, &order, None, 60)),
            turns.act(1, refund::refund(&store, &peers, &order, None, 60)),
        );
        let refused = [&first, &second]
            .iter()
            .filter(|r| matches!(r, Err(e) if e.status() == 409))
            .count();
        assert_eq!(refused, 1, "turns {script:?}: {first:?} / {second:?}");
        let after = current(&store, &sale.id).await;
        assert_eq!(after.items[0].refunded_quantity, 2, "turns {script:?}");
        assert_conserved(&store, &peers);
    }
}
