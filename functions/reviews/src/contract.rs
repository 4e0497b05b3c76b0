//! The contract of [`Reviews`]: every rule its documentation (and the store's module
//! documentation) states, checked against any implementation — the in-process double
//! (`crate::memory`, by this crate's unit tests) and the DynamoDB [`crate::store::Store`]
//! (by the end-to-end tests, on DynamoDB Local), so the double cannot drift from the
//! table's rules.
//!
//! Compiled for this crate's tests and, behind the `contract-tests` feature, for the e2e
//! crate; the functions never call it (it is generic: no code of it reaches a binary).
//! Every id is fresh (ULIDs), so runs against a table in use never meet other data.
//! Not covered yet: the recommender's traits (`crate::reco_store`).

use crate::domain::{Moderation, ModerationAction, Review, ReviewStatus, FIRST_VERSION};
use crate::store::{Listing, Moderated, Reviews};
use edge::domain::{Comment, Rating};
use edge::ids::new_id;
use infra::time::now_rfc3339;
use testkit::Rules;

/// An instant `offset` seconds after a moment a while from now (offsets down to -1000),
/// in the stored format (`infra::time`): only the order of these instants matters.
fn at(offset: i64) -> String {
    infra::time::rfc3339_in((offset + 1_000).max(0).unsigned_abs())
}

fn review(customer: &str, product: &str, stars: i64, created: i64) -> Review {
    Review {
        id: new_id(),
        product_id: product.into(),
        customer_id: customer.into(),
        rating: Rating::parse(stars).unwrap(),
        comment: Comment::parse("contract review").unwrap(),
        status: ReviewStatus::Pending,
        verified_purchase: true,
        created_at: at(created),
        updated_at: at(created),
        moderation_history: Vec::new(),
        version: FIRST_VERSION,
    }
}

fn decision(action: ModerationAction) -> Moderation {
    Moderation {
        action,
        moderated_by: "contract-admin".into(),
        moderated_at: now_rfc3339(),
        reason: Some("contract".into()),
    }
}

fn moderated(answer: &Moderated) -> String {
    match answer {
        Moderated::Done(review) => format!("Done({review:?})"),
        Moderated::Stale => "Stale".into(),
        Moderated::Gone => "Gone".into(),
    }
}

fn ids(reviews: &[Review]) -> Vec<String> {
    reviews.iter().map(|r| r.id.clone()).collect()
}

/// Every page of a listing from the start, in `limit`s: the ids in order (only those
/// in `ours`, the table may hold others), and whether every page kept to the limit.
async fn list_all(
    store: &impl Reviews,
    listing: &Listing<'_>,
    limit: i32,
    ours: &[&str],
) -> (Vec<String>, bool) {
    let (mut seen, mut within, mut start) = (Vec::new(), true, None);
    for _ in 0..10_000 {
        let (page, next) = store.list(listing, start.take(), limit).await.unwrap();
        within &= page.len() <= limit as usize;
        seen.extend(
            page.into_iter()
                .map(|r| r.id)
                .filter(|id| ours.contains(&id.as_str())),
        );
        match next {
            Some(key) => start = Some(key),
            None => return (seen, within),
        }
    }
    panic!("the listing never ended");
}

/// Checks every rule of [`Reviews`] on `store`; panics naming each broken rule, and
/// answers how many were checked. `name` says which store in the message.
pub async fn check(store: &impl Reviews, name: &str) -> usize {
    let mut rules = Rules::default();
    let run = new_id();
    let (customer, other_customer) = (format!("c-{run}-1"), format!("c-{run}-2"));
    let (product, other_product) = (format!("p-{run}-1"), format!("p-{run}-2"));

    // create, get
    let first = review(&customer, &product, 4, -300);
    let created = store.create(&first).await.unwrap();
    rules.check("create writes a new review", created, created);
    let read = store.get(&first.id).await.unwrap();
    rules.check(
        "get answers a created review as created",
        read.as_ref().is_some_and(|r| {
            r.product_id == product
                && r.customer_id == customer
                && r.rating.stars() == 4
                && r.status == ReviewStatus::Pending
                && r.version == FIRST_VERSION
                && r.moderation_history.is_empty()
        }),
        &read,
    );
    let twin = review(&customer, &product, 1, -290);
    let again = store.create(&twin).await.unwrap();
    rules.check(
        "create for a customer and product already reviewed answers false",
        !again,
        again,
    );
    let twin_read = store.get(&twin.id).await.unwrap();
    rules.check(
        "a refused create writes nothing (both or neither)",
        twin_read.is_none(),
        &twin_read,
    );
    let unknown = store.get(&new_id()).await.unwrap();
    rules.check(
        "get of an unknown id answers None",
        unknown.is_none(),
        &unknown,
    );
    let guard = store
        .get(&format!("guard#{customer}#{product}"))
        .await
        .unwrap();
    rules.check(
        "get answers reviews only (not a customer-and-product claim)",
        guard.is_none(),
        &guard,
    );
    let second = review(&customer, &other_product, 2, -200);
    let third = review(&other_customer, &product, 5, -100);
    let both = (
        store.create(&second).await.unwrap(),
        store.create(&third).await.unwrap(),
    );
    rules.check(
        "a customer may review other products, and others the same product",
        both == (true, true),
        both,
    );

    // moderate
    let approved = store
        .moderate(
            &first,
            FIRST_VERSION,
            decision(ModerationAction::Approve),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderate at the version read decides, appends to the history, moves the version on",
        matches!(&approved, Moderated::Done(r) if r.status == ReviewStatus::Approved
            && r.version == FIRST_VERSION + 1
            && r.moderation_history.len() == 1
            && r.moderation_history[0].action == ModerationAction::Approve),
        moderated(&approved),
    );
    let stale = store
        .moderate(
            &first,
            FIRST_VERSION,
            decision(ModerationAction::Reject),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderate at a stale version answers Stale",
        matches!(stale, Moderated::Stale),
        moderated(&stale),
    );
    let unchanged = store.get(&first.id).await.unwrap();
    rules.check(
        "a stale moderation changes nothing",
        unchanged.as_ref().is_some_and(|r| {
            r.status == ReviewStatus::Approved
                && r.version == FIRST_VERSION + 1
                && r.moderation_history.len() == 1
        }),
        &unchanged,
    );
    let approved_third = store
        .moderate(
            &third,
            FIRST_VERSION,
            decision(ModerationAction::Approve),
            &at(0),
        )
        .await
        .unwrap();
    let rejected = store
        .moderate(
            &second,
            FIRST_VERSION,
            decision(ModerationAction::Reject),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderate can reject",
        matches!(&rejected, Moderated::Done(r) if r.status == ReviewStatus::Rejected)
            && matches!(approved_third, Moderated::Done(_)),
        moderated(&rejected),
    );
    let ghost = review(&customer, &format!("p-{run}-ghost"), 3, 0);
    let gone = store
        .moderate(
            &ghost,
            FIRST_VERSION,
            decision(ModerationAction::Approve),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderate of a review that does not exist answers Gone, and creates nothing",
        matches!(gone, Moderated::Gone) && store.get(&ghost.id).await.unwrap().is_none(),
        moderated(&gone),
    );

    // summary, listings
    let summary = store.summary(&product).await.unwrap();
    rules.check(
        "summary counts and averages a product's approved reviews",
        summary.count == 2 && summary.average_rating == Some(4.5),
        (summary.count, summary.average_rating),
    );
    let none = store.summary(&format!("p-{run}-none")).await.unwrap();
    rules.check(
        "summary of a product without approved reviews: 0, no average",
        none.count == 0 && none.average_rating.is_none(),
        (none.count, none.average_rating),
    );
    let rejected_only = store.summary(&other_product).await.unwrap();
    rules.check(
        "summary leaves out rejected reviews",
        rejected_only.count == 0,
        rejected_only.count,
    );
    let ours = [first.id.as_str(), second.id.as_str(), third.id.as_str()];
    let (approved_list, within) =
        list_all(store, &Listing::ApprovedForProduct(&product), 1, &ours).await;
    rules.check(
        "the approved listing of a product: its approved reviews, newest first, page by page",
        approved_list == vec![third.id.clone(), first.id.clone()],
        &approved_list,
    );
    rules.check("a listing page holds at most `limit` reviews", within, ());
    let (by_customer, _) = list_all(store, &Listing::ByCustomer(&customer), 1, &ours).await;
    rules.check(
        "the listing by customer: all their reviews, whatever their status, newest first",
        by_customer == vec![second.id.clone(), first.id.clone()],
        &by_customer,
    );
    let (one_page, _) = store
        .list(&Listing::ByCustomer(&customer), None, 10)
        .await
        .unwrap();
    rules.check(
        "a listing page with room for every match answers them all",
        ids(&one_page) == vec![second.id.clone(), first.id.clone()],
        ids(&one_page),
    );

    // edit
    let edit_at = at(0);
    let edited = store
        .edit(&first.id, Some(Rating::parse(2).unwrap()), None, &edit_at)
        .await
        .unwrap();
    rules.check(
        "edit sets the rating, keeps the comment, goes back to pending, moves the version on",
        edited.as_ref().is_some_and(|r| {
            r.rating.stars() == 2
                && r.comment.as_str() == "contract review"
                && r.status == ReviewStatus::Pending
                && r.version == FIRST_VERSION + 2
                && r.updated_at == edit_at
        }),
        &edited,
    );
    rules.check(
        "an edit keeps the moderation history",
        edited
            .as_ref()
            .is_some_and(|r| r.moderation_history.len() == 1),
        &edited,
    );
    let (approved_list, _) =
        list_all(store, &Listing::ApprovedForProduct(&product), 10, &ours).await;
    rules.check(
        "an edited review leaves the approved listing",
        approved_list == vec![third.id.clone()],
        &approved_list,
    );
    let summary = store.summary(&product).await.unwrap();
    rules.check(
        "an edited review no longer counts in the summary",
        summary.count == 1 && summary.average_rating == Some(5.0),
        (summary.count, summary.average_rating),
    );
    let (queue, _) = list_all(store, &Listing::ByStatus(ReviewStatus::Pending), 100, &ours).await;
    rules.check(
        "the moderation queue holds the pending reviews",
        queue == vec![first.id.clone()],
        &queue,
    );
    let comment_only = store
        .edit(
            &second.id,
            None,
            Some(Comment::parse("changed my mind").unwrap()),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "edit sets the comment, keeps the rating; a rejected review goes back to pending",
        comment_only.as_ref().is_some_and(|r| {
            r.comment.as_str() == "changed my mind"
                && r.rating.stars() == 2
                && r.status == ReviewStatus::Pending
        }),
        &comment_only,
    );
    let (queue, _) = list_all(store, &Listing::ByStatus(ReviewStatus::Pending), 100, &ours).await;
    rules.check(
        "the moderation queue runs oldest first",
        queue == vec![first.id.clone(), second.id.clone()],
        &queue,
    );
    let (rejected_queue, _) = list_all(
        store,
        &Listing::ByStatus(ReviewStatus::Rejected),
        100,
        &ours,
    )
    .await;
    rules.check(
        "an edited review leaves its former status's listing",
        rejected_queue.is_empty(),
        &rejected_queue,
    );
    let moderated_at_read = store
        .moderate(
            &first,
            FIRST_VERSION + 1,
            decision(ModerationAction::Approve),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "a moderation read before an edit is Stale after it",
        matches!(moderated_at_read, Moderated::Stale),
        moderated(&moderated_at_read),
    );
    let reapproved = store
        .moderate(
            &first,
            FIRST_VERSION + 2,
            decision(ModerationAction::Approve),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderation after an edit appends to the history",
        matches!(&reapproved, Moderated::Done(r) if r.moderation_history.len() == 2
            && r.version == FIRST_VERSION + 3 && r.status == ReviewStatus::Approved),
        moderated(&reapproved),
    );
    let summary = store.summary(&product).await.unwrap();
    rules.check(
        "a re-approved review counts again, at its new rating",
        summary.count == 2 && summary.average_rating == Some(3.5),
        (summary.count, summary.average_rating),
    );
    let nobody = store.edit(&ghost.id, None, None, &at(0)).await.unwrap();
    rules.check(
        "edit of a review that does not exist answers None, and creates nothing",
        nobody.is_none() && store.get(&ghost.id).await.unwrap().is_none(),
        &nobody,
    );

    // delete
    let deleted = store.delete(&first).await.unwrap();
    rules.check("delete of a review answers true", deleted, deleted);
    let after = store.get(&first.id).await.unwrap();
    rules.check("a deleted review is gone", after.is_none(), &after);
    let again = store.delete(&first).await.unwrap();
    rules.check("delete of a deleted review answers false", !again, again);
    let (approved_list, _) =
        list_all(store, &Listing::ApprovedForProduct(&product), 10, &ours).await;
    let summary = store.summary(&product).await.unwrap();
    rules.check(
        "a deleted review leaves the listings and the summary",
        approved_list == vec![third.id.clone()] && summary.count == 1,
        (&approved_list, summary.count),
    );
    let gone = store
        .moderate(
            &first,
            FIRST_VERSION + 3,
            decision(ModerationAction::Reject),
            &at(0),
        )
        .await
        .unwrap();
    rules.check(
        "moderate of a deleted review answers Gone",
        matches!(gone, Moderated::Gone),
        moderated(&gone),
    );
    let renewed = review(&customer, &product, 3, 0);
    let recreated = store.create(&renewed).await.unwrap();
    rules.check(
        "delete frees the customer-and-product pair: the customer may review it again",
        recreated,
        recreated,
    );

    // leave the queue as found
    for r in [&second, &third, &renewed] {
        store.delete(r).await.unwrap();
    }
    rules.verdict("Reviews", name)
}

#[cfg(test)]
mod tests {
    use crate::memory::MemoryReviews;

    #[tokio::test]
    async fn the_double_keeps_the_reviews_contract() {
        let checked = super::check(&MemoryReviews::default(), "MemoryReviews").await;
        println!("Reviews contract, in-memory double: {checked} rules checked");
    }
}
