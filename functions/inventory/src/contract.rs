//! The contract of [`Inventory`]: every rule its documentation (and the store's module
//! documentation) states, checked against any implementation — the in-process double
//! (`crate::memory`, by this crate's unit tests) and the DynamoDB [`crate::store::Store`]
//! (by the end-to-end tests, on DynamoDB Local), so the double cannot drift from the
//! table's rules.
//!
//! Compiled for this crate's tests and, behind the `contract-tests` feature, for the e2e
//! crate; the functions never call it (it is generic: no code of it reaches a binary).
//! Every id, category and name is fresh (ULIDs), so runs against a table in use never
//! meet other data.

use crate::domain::{LinesRefused, Product, ReservationStatus, Restock, StockLine, MAX_STOCK};
use crate::store::{Inventory, ListFilter, ProductChanges, Reserved, Restocked, Updated};
use edge::ids::new_id;
use edge::money::Cents;
use infra::time::now_rfc3339;
use std::collections::BTreeSet;
use testkit::Rules;

fn product(category: &str, name: &str, price_cents: i64, stock: i64) -> Product {
    let now = now_rfc3339();
    Product {
        id: new_id(),
        name: name.into(),
        description: "contract".into(),
        category: category.into(),
        price_cents: Cents::new(price_cents),
        currency: "USD".into(),
        stock,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
        deleted_at: None,
    }
}

fn line(product: &Product, quantity: i64) -> StockLine {
    StockLine {
        product_id: product.id.clone(),
        quantity,
    }
}

fn changes() -> ProductChanges {
    ProductChanges::default()
}

async fn stock(store: &impl Inventory, id: &str) -> Option<i64> {
    store.get(id).await.unwrap().map(|p| p.stock)
}

async fn version(store: &impl Inventory, id: &str) -> i64 {
    store.get(id).await.unwrap().map_or(-1, |p| p.version)
}

/// Every page of `filter`'s list from the start, in `limit`s: the ids in order, and
/// whether every page kept to the limit.
async fn list_all(
    store: &impl Inventory,
    filter: &ListFilter,
    limit: usize,
) -> (Vec<String>, bool) {
    let (mut ids, mut within, mut start) = (Vec::new(), true, None);
    for _ in 0..10_000 {
        let (page, next) = store.list(filter, start.take(), limit).await.unwrap();
        within &= page.len() <= limit;
        ids.extend(page.into_iter().map(|p| p.id));
        match next {
            Some(key) => start = Some(key),
            None => return (ids, within),
        }
    }
    panic!("the list never ended");
}

fn sorted(ids: &[&str]) -> Vec<String> {
    let set: BTreeSet<String> = ids.iter().map(|id| id.to_string()).collect();
    set.into_iter().collect()
}

fn sorted_owned(ids: &[String]) -> Vec<String> {
    let mut ids = ids.to_vec();
    ids.sort();
    ids
}

/// Checks every rule of [`Inventory`] on `store`; panics naming each broken rule, and
/// answers how many were checked. `name` says which store in the message.
pub async fn check(store: &impl Inventory, name: &str) -> usize {
    let mut rules = Rules::default();
    let run = new_id().to_lowercase();
    let category = format!("contract-{run}");
    let other_category = format!("contract-other-{run}");

    // create, get
    let lamp = product(&category, &format!("Desk Lamp {run}"), 2_500, 10);
    store.create(&lamp).await.unwrap();
    let read = store.get(&lamp.id).await.unwrap();
    rules.check(
        "get answers a created product as it was created",
        read.as_ref().is_some_and(|p| {
            p.name == lamp.name
                && p.category == category
                && p.price_cents == Cents::new(2_500)
                && p.stock == 10
                && p.version == 1
                && p.deleted_at.is_none()
        }),
        &read,
    );
    let mut twin = product(&category, "Twin", 1, 1);
    twin.id = lamp.id.clone();
    let taken = store.create(&twin).await;
    rules.check("create of a taken id is refused", taken.is_err(), &taken);
    let kept = store.get(&lamp.id).await.unwrap();
    rules.check(
        "a refused create leaves the first product as it was",
        kept.as_ref()
            .is_some_and(|p| p.name == lamp.name && p.stock == 10),
        &kept,
    );
    let unknown = store.get(&new_id()).await.unwrap();
    rules.check(
        "get of an unknown id answers None",
        unknown.is_none(),
        &unknown,
    );

    // update
    let now = now_rfc3339();
    let renamed = store
        .update(
            &lamp.id,
            ProductChanges {
                name: Some(format!("Reading Lamp {run}")),
                description: Some("brighter".into()),
                price_cents: Some(Cents::new(3_000)),
                ..changes()
            },
            Some(1),
            &now,
        )
        .await
        .unwrap();
    rules.check(
        "update at the expected version applies the changes, with a new version and updated_at",
        matches!(&renamed, Updated::Yes(p) if p.version == 2
            && p.name == format!("Reading Lamp {run}")
            && p.description == "brighter"
            && p.price_cents == Cents::new(3_000)
            && p.stock == 10
            && p.updated_at == now),
        &renamed,
    );
    let stale = store
        .update(
            &lamp.id,
            ProductChanges {
                price_cents: Some(Cents::new(1)),
                ..changes()
            },
            Some(1),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update at a stale version answers StaleVersion",
        matches!(stale, Updated::StaleVersion),
        &stale,
    );
    let after_stale = store.get(&lamp.id).await.unwrap();
    rules.check(
        "a stale update changes nothing, not even the version",
        after_stale
            .as_ref()
            .is_some_and(|p| p.price_cents == Cents::new(3_000) && p.version == 2),
        &after_stale,
    );
    let unversioned = store
        .update(
            &lamp.id,
            ProductChanges {
                stock: Some(7),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update without an expected version applies (absolute stock), version moved on",
        matches!(&unversioned, Updated::Yes(p) if p.stock == 7 && p.version == 3),
        &unversioned,
    );
    let ghost = new_id();
    let nobody = store
        .update(
            &ghost,
            ProductChanges {
                price_cents: Some(Cents::new(1)),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update of an unknown product answers NotFound",
        matches!(nobody, Updated::NotFound),
        &nobody,
    );
    let created = store.get(&ghost).await.unwrap();
    rules.check(
        "update of an unknown product creates nothing",
        created.is_none(),
        &created,
    );

    // stock deltas: never below 0, never up past the maximum
    let below = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(-8),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a delta taking stock below zero answers StockOutOfRange",
        matches!(below, Updated::StockOutOfRange),
        &below,
    );
    rules.check(
        "a refused delta changes neither stock nor version",
        stock(store, &lamp.id).await == Some(7) && version(store, &lamp.id).await == 3,
        stock(store, &lamp.id).await,
    );
    let to_zero = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(-7),
                ..changes()
            },
            Some(3),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a delta down to exactly zero applies",
        matches!(&to_zero, Updated::Yes(p) if p.stock == 0 && p.version == 4),
        &to_zero,
    );
    let to_max = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(MAX_STOCK),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a delta up to exactly the maximum applies",
        matches!(&to_max, Updated::Yes(p) if p.stock == MAX_STOCK),
        &to_max,
    );
    let past_max = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(1),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a delta up past the maximum answers StockOutOfRange",
        matches!(past_max, Updated::StockOutOfRange)
            && stock(store, &lamp.id).await == Some(MAX_STOCK),
        &past_max,
    );

    // restock: once per id, deleted products included, past the maximum too
    let restock_id = new_id();
    let restock = Restock {
        restock_id: restock_id.clone(),
        items: vec![line(&lamp, 5)],
        created_at: now_rfc3339(),
    };
    let put_back = done(store.restock(restock).await.unwrap());
    rules.check(
        "restock answers what it put back",
        put_back.restock_id == restock_id && put_back.items == vec![line(&lamp, 5)],
        &put_back,
    );
    rules.check(
        "restock puts the units back, even past the maximum (refunds' units are conserved)",
        stock(store, &lamp.id).await == Some(MAX_STOCK + 5),
        stock(store, &lamp.id).await,
    );
    let version_before = version(store, &lamp.id).await;
    let replayed = done(
        store
            .restock(Restock {
                restock_id: restock_id.clone(),
                items: vec![line(&lamp, 9)],
                created_at: now_rfc3339(),
            })
            .await
            .unwrap(),
    );
    rules.check(
        "a restock id used before answers what it put back the first time",
        replayed.items == vec![line(&lamp, 5)],
        &replayed,
    );
    rules.check(
        "a restock id used before puts nothing back again",
        stock(store, &lamp.id).await == Some(MAX_STOCK + 5)
            && version(store, &lamp.id).await == version_before,
        stock(store, &lamp.id).await,
    );

    let lamp_before_unknown = stock(store, &lamp.id).await;
    let with_unknown = store
        .restock(Restock {
            restock_id: new_id(),
            items: vec![
                line(&lamp, 1),
                StockLine {
                    product_id: new_id(),
                    quantity: 1,
                },
            ],
            created_at: now_rfc3339(),
        })
        .await;
    rules.check(
        "a restock naming an unknown product is refused naming that line",
        matches!(&with_unknown, Ok(Restocked::UnknownProducts(lines)) if lines == &[1]),
        &with_unknown,
    );
    rules.check(
        "a refused restock puts nothing back",
        stock(store, &lamp.id).await == lamp_before_unknown,
        stock(store, &lamp.id).await,
    );

    // a stock past the maximum may move back down; other changes apply
    let up_again = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(1),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a stock past the maximum refuses a delta up (StockOutOfRange)",
        matches!(up_again, Updated::StockOutOfRange),
        &up_again,
    );
    let priced = store
        .update(
            &lamp.id,
            ProductChanges {
                price_cents: Some(Cents::new(3_100)),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a stock past the maximum does not block other changes",
        matches!(&priced, Updated::Yes(p) if p.price_cents == Cents::new(3_100) && p.stock == MAX_STOCK + 5),
        &priced,
    );
    let down = store
        .update(
            &lamp.id,
            ProductChanges {
                stock_delta: Some(-2),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a stock past the maximum may move back down by a delta, even to still past it",
        matches!(&down, Updated::Yes(p) if p.stock == MAX_STOCK + 3),
        &down,
    );
    store
        .update(
            &lamp.id,
            ProductChanges {
                stock: Some(10),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();

    // live, list
    let desk = product(&category, &format!("Oak Desk {run}"), 20_000, 0);
    let chair = product(&category, &format!("Desk Chair {run}"), 9_000, 3);
    let gone = product(&category, &format!("Old Desk {run}"), 5_000, 4);
    let elsewhere = product(&other_category, &format!("Standing Desk {run}"), 4_000, 5);
    for p in [&desk, &chair, &gone, &elsewhere] {
        store.create(p).await.unwrap();
    }
    let stale_delete = store
        .delete(&gone.id, Some(7), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "delete at a stale version answers StaleVersion, and deletes nothing",
        matches!(stale_delete, Updated::StaleVersion)
            && store
                .get(&gone.id)
                .await
                .unwrap()
                .is_some_and(|p| p.deleted_at.is_none()),
        &stale_delete,
    );
    let when = now_rfc3339();
    let deleted = store.delete(&gone.id, Some(1), &when).await.unwrap();
    rules.check(
        "delete at the expected version marks the product deleted, with a new version",
        matches!(&deleted, Updated::Yes(p) if p.deleted_at.as_deref() == Some(when.as_str()) && p.version == 2),
        &deleted,
    );
    let still = store.get(&gone.id).await.unwrap();
    rules.check(
        "a deleted product stays readable by id, marked deleted",
        still
            .as_ref()
            .is_some_and(|p| p.deleted_at.is_some() && p.stock == 4),
        &still,
    );
    let again = store.delete(&gone.id, None, &now_rfc3339()).await.unwrap();
    rules.check(
        "delete of a deleted product answers NotFound",
        matches!(again, Updated::NotFound),
        &again,
    );
    let frozen = store
        .update(
            &gone.id,
            ProductChanges {
                price_cents: Some(Cents::new(1)),
                ..changes()
            },
            Some(2),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update of a deleted product answers NotFound (even at its version)",
        matches!(frozen, Updated::NotFound),
        &frozen,
    );
    let delete_unknown = store.delete(&new_id(), None, &now_rfc3339()).await.unwrap();
    rules.check(
        "delete of an unknown product answers NotFound",
        matches!(delete_unknown, Updated::NotFound),
        &delete_unknown,
    );

    let asked = vec![
        lamp.id.clone(),
        desk.id.clone(),
        gone.id.clone(),
        new_id(),
        elsewhere.id.clone(),
    ];
    let live = store.live(&asked).await.unwrap();
    rules.check(
        "live answers exactly the asked ids of existing, undeleted products",
        sorted_owned(&live) == sorted(&[&lamp.id, &desk.id, &elsewhere.id]),
        &live,
    );
    let none = store.live(&[new_id()]).await.unwrap();
    rules.check("live of unknown ids is empty", none.is_empty(), &none);
    let repeated = store
        .live(&[lamp.id.clone(), lamp.id.clone(), desk.id.clone()])
        .await
        .unwrap();
    rules.check(
        "live answers an id asked twice once",
        sorted_owned(&repeated) == sorted(&[&lamp.id, &desk.id]),
        &repeated,
    );

    let in_category = ListFilter {
        category: Some(category.clone()),
        ..ListFilter::default()
    };
    let (listed, within) = list_all(store, &in_category, 2).await;
    rules.check(
        "list by category pages through its live products, each once, deleted ones left out",
        sorted_owned(&listed) == sorted(&[&lamp.id, &desk.id, &chair.id]) && listed.len() == 3,
        &listed,
    );
    rules.check(
        "a list page holds at most `limit` products",
        within,
        &listed,
    );
    let (one_page, next) = store.list(&in_category, None, 10).await.unwrap();
    rules.check(
        "a list page with room for every match answers them all",
        one_page.len() == 3,
        (one_page.len(), &next),
    );
    let by_name = ListFilter {
        q: Some(format!("DESK {}", run.to_uppercase())),
        ..ListFilter::default()
    };
    let (found, _) = list_all(store, &by_name, 50).await;
    rules.check(
        "list by q (any category) finds names containing it, ignoring case, deleted ones left out",
        sorted_owned(&found) == sorted(&[&desk.id, &elsewhere.id]),
        &found,
    );
    let renamed_away = ListFilter {
        q: Some(format!("Desk Lamp {run}")),
        category: Some(category.clone()),
        ..ListFilter::default()
    };
    let (old_name, _) = list_all(store, &renamed_away, 10).await;
    rules.check(
        "list by q searches the current name, not a former one",
        old_name.is_empty(),
        &old_name,
    );
    let chairs = ListFilter {
        q: Some("chair".into()),
        category: Some(category.clone()),
        ..ListFilter::default()
    };
    let (found, _) = list_all(store, &chairs, 10).await;
    rules.check(
        "list combines category and q",
        found == vec![chair.id.clone()],
        &found,
    );
    let priced_between = ListFilter {
        category: Some(category.clone()),
        min_price_cents: Some(3_100),
        max_price_cents: Some(9_000),
        ..ListFilter::default()
    };
    let (found, _) = list_all(store, &priced_between, 10).await;
    rules.check(
        "list by price keeps min_price_cents <= price <= max_price_cents, bounds included",
        sorted_owned(&found) == sorted(&[&lamp.id, &chair.id]),
        &found,
    );
    let in_stock = ListFilter {
        category: Some(category.clone()),
        in_stock: true,
        ..ListFilter::default()
    };
    let (found, _) = list_all(store, &in_stock, 10).await;
    rules.check(
        "list in_stock leaves out products without stock",
        sorted_owned(&found) == sorted(&[&lamp.id, &chair.id]),
        &found,
    );
    let moved = store
        .update(
            &chair.id,
            ProductChanges {
                category: Some(other_category.clone()),
                ..changes()
            },
            None,
            &now_rfc3339(),
        )
        .await
        .unwrap();
    let (here, _) = list_all(store, &in_category, 10).await;
    let (there, _) = list_all(
        store,
        &ListFilter {
            category: Some(other_category.clone()),
            ..ListFilter::default()
        },
        10,
    )
    .await;
    rules.check(
        "a product whose category changed is listed under the new one only",
        matches!(moved, Updated::Yes(_)) && !here.contains(&chair.id) && there.contains(&chair.id),
        (&here, &there),
    );

    // reserve: all or none, at current prices, once per sale id
    let sale = new_id();
    let reserved = store
        .reserve(&sale, &[line(&lamp, 4), line(&chair, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "reserve takes every line at the current prices, in the order asked",
        matches!(&reserved, Reserved::Yes(r) if r.status == ReservationStatus::Reserved
            && r.items.len() == 2
            && r.items[0].product_id == lamp.id && r.items[0].quantity == 4 && r.items[0].unit_price_cents == Cents::new(3_100)
            && r.items[1].product_id == chair.id && r.items[1].unit_price_cents == Cents::new(9_000)),
        &reserved,
    );
    rules.check(
        "reserve takes the units from stock",
        stock(store, &lamp.id).await == Some(6) && stock(store, &chair.id).await == Some(2),
        (stock(store, &lamp.id).await, stock(store, &chair.id).await),
    );
    let lamp_version = version(store, &lamp.id).await;
    let retried = store
        .reserve(&sale, &[line(&lamp, 4), line(&chair, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "reserve again for the sale answers the same reservation",
        matches!(&retried, Reserved::Yes(r) if r.items.len() == 2 && r.items[0].unit_price_cents == Cents::new(3_100)),
        &retried,
    );
    rules.check(
        "reserve again for the sale takes nothing more",
        stock(store, &lamp.id).await == Some(6)
            && stock(store, &chair.id).await == Some(2)
            && version(store, &lamp.id).await == lamp_version,
        stock(store, &lamp.id).await,
    );
    let other_lines = store
        .reserve(&sale, &[line(&lamp, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "reserve under a used sale id for other lines answers SaleIdConflict",
        matches!(other_lines, Reserved::SaleIdConflict(_))
            && stock(store, &lamp.id).await == Some(6),
        &other_lines,
    );
    let short_sale = new_id();
    let short = store
        .reserve(
            &short_sale,
            &[line(&lamp, 1), line(&chair, 3)],
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "reserve short of stock answers OutOfStock with each short line and what is left",
        matches!(&short, Reserved::Refused(LinesRefused::OutOfStock(lines)) if *lines == vec![(1, 2)]),
        &short,
    );
    rules.check(
        "a refused reservation takes nothing from any line (all or none)",
        stock(store, &lamp.id).await == Some(6) && stock(store, &chair.id).await == Some(2),
        stock(store, &lamp.id).await,
    );
    let after_refusal = store
        .reserve(&short_sale, &[line(&lamp, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a refused reservation records nothing: the sale id may reserve later",
        matches!(after_refusal, Reserved::Yes(_)) && stock(store, &lamp.id).await == Some(5),
        &after_refusal,
    );
    let missing = store
        .reserve(
            &new_id(),
            &[
                line(&lamp, 1),
                line(&gone, 1),
                StockLine {
                    product_id: new_id(),
                    quantity: 1,
                },
            ],
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "reserve of deleted or unknown products answers NotFound naming those lines",
        matches!(&missing, Reserved::Refused(LinesRefused::NotFound(lines)) if *lines == vec![1, 2])
            && stock(store, &lamp.id).await == Some(5)
            && stock(store, &gone.id).await == Some(4),
        &missing,
    );

    // release: once; first, a tombstone
    let release_at = now_rfc3339();
    let released = store.release(&sale, &release_at).await.unwrap();
    rules.check(
        "release gives the reservation back: released, at now, its lines kept",
        released.status == ReservationStatus::Released
            && released.released_at.as_deref() == Some(release_at.as_str())
            && released.items.len() == 2,
        &released,
    );
    rules.check(
        "release puts the units back",
        stock(store, &lamp.id).await == Some(9) && stock(store, &chair.id).await == Some(3),
        (stock(store, &lamp.id).await, stock(store, &chair.id).await),
    );
    let twice = store.release(&sale, &now_rfc3339()).await.unwrap();
    rules.check(
        "release again answers the released reservation, its first release time kept",
        twice.status == ReservationStatus::Released
            && twice.released_at.as_deref() == Some(release_at.as_str()),
        &twice,
    );
    rules.check(
        "release again puts nothing more back",
        stock(store, &lamp.id).await == Some(9) && stock(store, &chair.id).await == Some(3),
        stock(store, &lamp.id).await,
    );
    let late = store
        .reserve(&sale, &[line(&lamp, 4), line(&chair, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "reserve after the sale's release answers SaleIdConflict and takes nothing",
        matches!(late, Reserved::SaleIdConflict(_)) && stock(store, &lamp.id).await == Some(9),
        &late,
    );
    let early_sale = new_id();
    let tombstone = store.release(&early_sale, &now_rfc3339()).await.unwrap();
    rules.check(
        "release before any reservation leaves a tombstone: released, no lines",
        tombstone.status == ReservationStatus::Released
            && tombstone.items.is_empty()
            && tombstone.sale_id == early_sale,
        &tombstone,
    );
    let overtaken = store
        .reserve(&early_sale, &[line(&lamp, 1)], &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a reservation arriving after its release's tombstone is refused and takes nothing",
        matches!(overtaken, Reserved::SaleIdConflict(_)) && stock(store, &lamp.id).await == Some(9),
        &overtaken,
    );
    let tombstone_again = store.release(&early_sale, &now_rfc3339()).await.unwrap();
    rules.check(
        "release of a tombstone answers it, nothing put back",
        tombstone_again.status == ReservationStatus::Released
            && tombstone_again.items.is_empty()
            && stock(store, &lamp.id).await == Some(9),
        &tombstone_again,
    );

    // restock of a deleted product
    done(
        store
            .restock(Restock {
                restock_id: new_id(),
                items: vec![line(&gone, 2), line(&lamp, 1)],
                created_at: now_rfc3339(),
            })
            .await
            .unwrap(),
    );
    rules.check(
        "restock puts units back into a deleted product too (stock conserved), and every line",
        stock(store, &gone.id).await == Some(6) && stock(store, &lamp.id).await == Some(10),
        (stock(store, &gone.id).await, stock(store, &lamp.id).await),
    );
    let deleted_after = store.get(&gone.id).await.unwrap();
    rules.check(
        "a restock leaves a deleted product deleted",
        deleted_after
            .as_ref()
            .is_some_and(|p| p.deleted_at.is_some()),
        &deleted_after,
    );

    let unknown_restock = new_id();
    let refused = store
        .restock(Restock {
            restock_id: unknown_restock.clone(),
            items: vec![
                line(&lamp, 1),
                StockLine {
                    product_id: new_id(),
                    quantity: 1,
                },
            ],
            created_at: now_rfc3339(),
        })
        .await;
    rules.check(
        "restock naming a product that never existed is refused, and puts nothing back",
        matches!(refused, Ok(Restocked::UnknownProducts(_)))
            && stock(store, &lamp.id).await == Some(10),
        (&refused, stock(store, &lamp.id).await),
    );
    let recorded = store
        .restock(Restock {
            restock_id: unknown_restock,
            items: vec![line(&lamp, 1)],
            created_at: now_rfc3339(),
        })
        .await;
    rules.check(
        "a refused restock records nothing: its id may restock later",
        matches!(recorded, Ok(Restocked::Done(_))) && stock(store, &lamp.id).await == Some(11),
        (&recorded, stock(store, &lamp.id).await),
    );

    rules.verdict("Inventory", name)
}

/// The restock a call put back, or the suite stops: the call was to succeed.
fn done(restocked: Restocked) -> Restock {
    match restocked {
        Restocked::Done(restock) => restock,
        refused => panic!("the restock was refused: {refused:?}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::memory::MemoryInventory;

    #[tokio::test]
    async fn the_double_keeps_the_inventory_contract() {
        let checked = super::check(&MemoryInventory::default(), "MemoryInventory").await;
        println!("Inventory contract, in-memory double: {checked} rules checked");
    }
}
