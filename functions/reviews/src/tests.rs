//! The review handlers in-process, on the doubles of `crate::memory`: one review per
//! customer and product, what each caller may see and do, moderation and the
//! recommender's copy of a review kept in step, listings paged by cursor with their
//! summary, and an outage of the services a new review asks.

use crate::handlers;
use crate::memory::{MemoryPeers, MemoryReco, MemoryReviews};
use crate::{State, Tables};
use edge::auth::Role;
use lambda_http::http::Method;
use serde_json::{json, Value};
use testkit::{keys, service_token, token, Accounts, Call, Reply};

/// A signed-in caller: (id, token).
fn caller(role: Role) -> (String, String) {
    let id = edge::ids::new_id();
    let token = token(&id, role);
    (id, token)
}

/// The service's functions over shared table doubles, and the other services' answers.
#[derive(Default)]
struct Service {
    reviews: MemoryReviews,
    reco: MemoryReco,
    peers: MemoryPeers,
}

impl Service {
    fn with_product(product: &str) -> Self {
        let mut service = Self::default();
        service.peers.live.insert(product.into());
        service
    }

    fn tables(&self, name: &str) -> State<Tables<MemoryReviews, MemoryReco>, Accounts> {
        let tables = Tables {
            reviews: self.reviews.clone(),
            reco: self.reco.clone(),
        };
        State::assemble(name, tables, self.peers.accounts.clone(), keys())
    }

    /// A route that asks whether an admin's token is still current.
    fn checked(&self, name: &str) -> State<MemoryReviews, Accounts> {
        State::assemble(
            name,
            self.reviews.clone(),
            self.peers.accounts.clone(),
            keys(),
        )
    }

    async fn create(&self, token: &str, product: &str, rating: i64) -> Reply {
        let peers = self.peers.clone();
        let state = State::assemble("create_review", self.reviews.clone(), peers, keys());
        let body = json!({"product_id": product, "rating": rating, "comment": " Lovely "});
        let request = Call::new(Method::POST).bearer(token).json(body).build();
        Reply::of(handlers::create_review(&state, request).await)
    }

    async fn get(&self, id: &str, token: Option<&str>) -> Reply {
        let mut request = Call::new(Method::GET).path("id", id);
        if let Some(token) = token {
            request = request.bearer(token);
        }
        Reply::of(handlers::get_review(&self.checked("get_review"), request.build()).await)
    }

    /// Moderates the review as it is now (its current version as `If-Match`).
    async fn moderate(&self, id: &str, token: &str, action: &str) -> Reply {
        let read = self.get(id, Some(&caller(Role::Admin).1)).await;
        let etag = read.header("etag").to_string();
        self.moderate_at(id, token, action, Some(&etag)).await
    }

    async fn moderate_at(
        &self,
        id: &str,
        token: &str,
        action: &str,
        if_match: Option<&str>,
    ) -> Reply {
        let mut request = Call::new(Method::POST)
            .path("id", id)
            .bearer(token)
            .json(json!({"action": action, "reason": "  "}));
        if let Some(etag) = if_match {
            request = request.header("if-match", etag);
        }
        Reply::of(handlers::moderate_review(&self.tables("moderate_review"), request.build()).await)
    }

    async fn edit(&self, id: &str, token: &str, body: Value) -> Reply {
        let request = Call::new(Method::PATCH)
            .path("id", id)
            .bearer(token)
            .json(body)
            .build();
        Reply::of(handlers::update_review(&self.tables("update_review"), request).await)
    }

    async fn delete(&self, id: &str, token: &str) -> Reply {
        let request = Call::new(Method::DELETE)
            .path("id", id)
            .bearer(token)
            .build();
        Reply::of(handlers::delete_review(&self.tables("delete_review"), request).await)
    }

    async fn list(&self, query: &[(&str, &str)], token: Option<&str>) -> Reply {
        let mut request = Call::new(Method::GET);
        for (name, value) in query {
            request = request.query(name, value);
        }
        if let Some(token) = token {
            request = request.bearer(token);
        }
        Reply::of(handlers::list_reviews(&self.checked("list_reviews"), request.build()).await)
    }

    /// Sales reporting purchases: (customer, product) pairs, one event each.
    async fn report(&self, caller: &str, purchases: &[(&str, &str)]) -> Reply {
        let now = infra::time::epoch_seconds() as i64;
        let interactions: Vec<Value> = purchases
            .iter()
            .map(|(customer, product)| {
                json!({"event_id": format!("sale-{customer}-{product}"), "customer_id": customer,
                       "product_id": product, "time": now, "strength": 1, "source": "purchase"})
            })
            .collect();
        let request = Call::new(Method::POST)
            .service(&service_token(caller))
            .json(json!({ "interactions": interactions }))
            .build();
        let state = State::assemble("record_interaction", self.reco.clone(), (), keys());
        Reply::of(crate::recommendations::record_interaction(&state, request).await)
    }

    async fn recommend(&self, customer: &str, token: &str) -> Reply {
        let peers = self.peers.clone();
        let state = State::assemble("get_recommendations", self.reco.clone(), peers, keys());
        let request = Call::new(Method::GET)
            .path("customer_id", customer)
            .query("limit", "3")
            .bearer(token)
            .build();
        Reply::of(crate::recommendations::get_recommendations(&state, request).await)
    }

    /// Whether the recommender counts this review as an interaction.
    fn counted(&self, review: &Value) -> Option<f32> {
        let customer = review["customer_id"].as_str().unwrap();
        let event = format!("review-{}", review["id"].as_str().unwrap());
        self.reco.event(customer, &event).map(|i| i.strength)
    }
}

#[tokio::test]
async fn one_review_per_customer_and_live_product() {
    let product = edge::ids::new_id();
    let mut service = Service::with_product(&product);
    let (buyer, token) = caller(Role::Customer);
    service
        .peers
        .purchases
        .insert((buyer.clone(), product.clone()));
    let created = service.create(&token, &product, 4).await;
    let review = created.expect(201);
    assert_eq!(
        (review["status"].as_str(), review["comment"].as_str()),
        (Some("pending"), Some("Lovely"))
    );
    assert_eq!(review["verified_purchase"], true);
    service.create(&token, &product, 5).await.expect(409);
    let (_, other) = caller(Role::Customer);
    let unverified = service.create(&other, &product, 2).await;
    assert_eq!(unverified.expect(201)["verified_purchase"], false);
    service
        .create(&token, &edge::ids::new_id(), 4)
        .await
        .expect(404);
    service.create(&token, "not-an-id", 4).await.expect(404);
    let (_, admin) = caller(Role::Admin);
    let listed = service.list(&[("status", "pending")], Some(&admin)).await;
    assert_eq!(listed.expect(200)["items"].as_array().unwrap().len(), 2);
}

/// A 422 lists every invalid field at once: the rating and the comment.
#[tokio::test]
async fn every_invalid_field_of_a_review_is_reported_at_once() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, token) = caller(Role::Customer);
    let body = json!({"product_id": product, "rating": 0, "comment": "   "});
    let state = State::assemble(
        "create_review",
        service.reviews.clone(),
        service.peers.clone(),
        keys(),
    );
    let request = Call::new(Method::POST).bearer(&token).json(body).build();
    let reply = Reply::of(handlers::create_review(&state, request).await);
    let fields: Vec<&str> = reply.expect(422)["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["comment", "rating"], "{}", reply.body);
}

#[tokio::test]
async fn an_outage_of_the_services_asked_writes_nothing() {
    let product = edge::ids::new_id();
    let mut service = Service::with_product(&product);
    service.peers.down = true;
    let (customer, token) = caller(Role::Customer);
    service.create(&token, &product, 4).await.expect(503);
    let mine = service
        .list(&[("customer_id", &customer)], Some(&token))
        .await;
    assert!(mine.expect(200)["items"].as_array().unwrap().is_empty());
    service.peers.down = false;
    service.create(&token, &product, 4).await.expect(201);
}

#[tokio::test]
async fn a_review_is_public_once_approved_and_counts_only_while_it_is() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, author) = caller(Role::Customer);
    let (_, stranger) = caller(Role::Customer);
    let (_, admin) = caller(Role::Admin);
    let review = id_of(service.create(&author, &product, 4).await);
    // Pending: its author and admins see it; anyone else is told it does not exist.
    service.get(&review, None).await.expect(404);
    service.get(&review, Some(&stranger)).await.expect(404);
    service.get(&review, Some(&author)).await.expect(200);
    service
        .moderate(&review, &author, "approve")
        .await
        .expect(403);
    let approved = service.moderate(&review, &admin, "approve").await;
    let approved = approved.expect(200).clone();
    assert_eq!(service.counted(&approved), Some(4.0));
    assert_eq!(
        service.get(&review, None).await.expect(200)["status"],
        "approved"
    );
    // An edit sends it back to moderation, and out of the recommender's counts.
    service
        .edit(&review, &stranger, json!({"rating": 1}))
        .await
        .expect(403);
    let edited = service.edit(&review, &author, json!({"rating": 2})).await;
    assert_eq!(edited.expect(200)["status"], "pending");
    assert_eq!(service.counted(&approved), None);
    service.edit(&review, &author, json!({})).await.expect(422);
    let rejected = service.moderate(&review, &admin, "reject").await;
    assert_eq!(rejected.expect(200)["status"], "rejected");
    assert_eq!(service.counted(&approved), None);
    let again = service.moderate(&review, &admin, "approve").await;
    assert_eq!(
        again.expect(200)["moderation_history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(service.counted(&approved), Some(2.0));
}

#[tokio::test]
async fn the_author_or_an_admin_deletes_and_the_pair_is_free_again() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, author) = caller(Role::Customer);
    let (_, stranger) = caller(Role::Customer);
    let (_, admin) = caller(Role::Admin);
    let review = service
        .create(&author, &product, 5)
        .await
        .expect(201)
        .clone();
    let id = review["id"].as_str().unwrap();
    service.moderate(id, &admin, "approve").await.expect(200);
    service.delete(id, &stranger).await.expect(403);
    service.delete(id, &author).await.expect(204);
    assert_eq!(service.counted(&review), None);
    service.delete(id, &author).await.expect(404);
    let second = id_of(service.create(&author, &product, 3).await);
    service.delete(&second, &admin).await.expect(204);
}

/// An admin approves what they read: an edit made since is never published unseen.
#[tokio::test]
async fn moderation_names_the_version_read_and_an_edit_since_is_never_approved_unseen() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, author) = caller(Role::Customer);
    let (_, admin) = caller(Role::Admin);
    let created = service.create(&author, &product, 4).await;
    assert_eq!(created.header("etag"), "\"1\"");
    let review = id_of(created);
    let read = service.get(&review, Some(&admin)).await;
    let (etag, body) = (read.header("etag").to_string(), read.expect(200).clone());
    assert_eq!((etag.as_str(), &body["version"]), ("\"1\"", &json!(1)));
    // The author rewrites the review after the admin read it.
    let edited = service
        .edit(&review, &author, json!({"comment": "Now spam"}))
        .await;
    assert_eq!(edited.header("etag"), "\"2\"");
    let stale = service
        .moderate_at(&review, &admin, "approve", Some(&etag))
        .await;
    stale.expect(409);
    let now = service.get(&review, Some(&admin)).await;
    assert_eq!(now.expect(200)["status"], "pending", "nothing changed");
    assert_eq!(now.body["moderation_history"], json!([]));
    assert_eq!(service.counted(&body), None);
    // Without If-Match: 428; with something that is no ETag of ours: 400.
    let bare = service.moderate_at(&review, &admin, "approve", None).await;
    assert_eq!(bare.expect(428)["type"], "/problems/precondition-required");
    service
        .moderate_at(&review, &admin, "approve", Some("yesterday"))
        .await
        .expect(400);
    // Read again, then approve: the decision and the version move on together.
    let approved = service
        .moderate_at(&review, &admin, "approve", Some("\"2\""))
        .await;
    assert_eq!(approved.header("etag"), "\"3\"");
    assert_eq!(approved.expect(200)["comment"], "Now spam");
    assert_eq!(service.counted(&body), Some(4.0));
}

#[tokio::test]
async fn an_admin_cannot_moderate_their_own_review_and_only_admins_see_who_moderated() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, admin) = caller(Role::Admin);
    let (_, other_admin) = caller(Role::Admin);
    let (_, author) = caller(Role::Customer);
    let own = id_of(service.create(&admin, &product, 5).await);
    let refused = service.moderate(&own, &admin, "approve").await;
    refused.expect(403);
    service
        .moderate(&own, &other_admin, "approve")
        .await
        .expect(200);
    // Anyone sees that and when it was moderated; only admins see by whom.
    let public = service.get(&own, None).await;
    assert!(public.expect(200)["moderated_at"].is_string());
    assert!(public.body["moderated_by"].is_null(), "{}", public.body);
    let by_author = service.get(&own, Some(&author)).await;
    assert!(by_author.expect(200)["moderated_by"].is_null());
    let by_admin = service.get(&own, Some(&admin)).await;
    assert!(by_admin.expect(200)["moderated_by"].is_string());
    let listed = service.list(&[("product_id", &product)], None).await;
    assert!(listed.expect(200)["items"][0]["moderated_by"].is_null());
}

/// An edit and a moderation racing: each write of the recommender's copy names the
/// review version it follows, so whichever lands last, the copy follows the final state.
#[tokio::test]
async fn the_recommenders_copy_of_a_review_follows_its_latest_version_whatever_lands_last() {
    use crate::reco_store::{Interactions, StoredInteraction};
    let reco = MemoryReco::default();
    let approved = StoredInteraction {
        event_id: "review-r".into(),
        customer_id: "c".into(),
        product_id: "p".into(),
        time: 0,
        strength: 4.0,
        source: "review".into(),
    };
    // The edit (version 3: pending) lands before the approval it raced (version 2).
    reco.follow_review("c", "review-r", 3, None).await.unwrap();
    reco.follow_review("c", "review-r", 2, Some(&approved))
        .await
        .unwrap();
    assert_eq!(reco.event("c", "review-r"), None);
    // The next approval (version 4) counts; a deletion wins over anything late.
    reco.follow_review("c", "review-r", 4, Some(&approved))
        .await
        .unwrap();
    assert_eq!(reco.event("c", "review-r"), Some(approved.clone()));
    reco.follow_review("c", "review-r", i64::MAX, None)
        .await
        .unwrap();
    reco.follow_review("c", "review-r", 5, Some(&approved))
        .await
        .unwrap();
    assert_eq!(reco.event("c", "review-r"), None);
}

fn id_of(reply: Reply) -> String {
    reply.expect(201)["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn listings_page_by_cursor_and_summarize_approved_ratings() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, admin) = caller(Role::Admin);
    let mut ids = Vec::new();
    for rating in [5, 4, 4, 1, 3] {
        let (_, author) = caller(Role::Customer);
        let review = id_of(service.create(&author, &product, rating).await);
        if rating != 1 {
            service
                .moderate(&review, &admin, "approve")
                .await
                .expect(200);
        }
        ids.push(review);
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![("product_id", product.as_str()), ("limit", "3")];
        if let Some(cursor) = &cursor {
            query.push(("cursor", cursor));
        }
        let page = service.list(&query, None).await;
        let page = page.expect(200);
        assert_eq!(page["summary"], json!({"count": 4, "average_rating": 4.0}));
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["rating"].as_i64().unwrap()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, vec![3, 4, 4, 5]);
    // A cursor belongs to its listing.
    let first = service
        .list(&[("product_id", &product), ("limit", "1")], None)
        .await;
    let cursor = first.expect(200)["next_cursor"]
        .as_str()
        .unwrap()
        .to_string();
    let queue = service
        .list(&[("status", "approved"), ("cursor", &cursor)], Some(&admin))
        .await;
    queue.expect(400);
    // An id in lower case names the same product, and the same customer.
    let lower = product.to_lowercase();
    let listed = service.list(&[("product_id", &lower)], None).await;
    assert_eq!(listed.expect(200)["summary"]["count"], 4);
    let (customer, author) = caller(Role::Customer);
    let other = edge::ids::new_id();
    let service = Service::with_product(&other);
    service.create(&author, &other, 4).await.expect(201);
    let own = service
        .list(&[("customer_id", &customer.to_lowercase())], Some(&author))
        .await;
    assert_eq!(own.expect(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn listings_are_filtered_by_exactly_one_thing_their_caller_may_see() {
    let service = Service::default();
    let (customer, token) = caller(Role::Customer);
    let (_, other) = caller(Role::Customer);
    let (_, admin) = caller(Role::Admin);
    service.list(&[], None).await.expect(422);
    let product = edge::ids::new_id();
    let two = [
        ("product_id", product.as_str()),
        ("customer_id", customer.as_str()),
    ];
    service.list(&two, Some(&token)).await.expect(422);
    service
        .list(&[("customer_id", &customer)], None)
        .await
        .expect(401);
    service
        .list(&[("customer_id", &customer)], Some(&other))
        .await
        .expect(403);
    service
        .list(&[("customer_id", &customer)], Some(&admin))
        .await
        .expect(200);
    service
        .list(&[("status", "pending")], Some(&token))
        .await
        .expect(403);
    service
        .list(&[("status", "lost")], Some(&admin))
        .await
        .expect(422);
    service
        .list(&[("product_id", "nope")], None)
        .await
        .expect(422);
}

/// The product ids of a recommendations answer, in order.
fn recommended(reply: &Reply) -> Vec<String> {
    reply.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["product_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn customers_are_recommended_what_those_who_bought_alike_bought_and_is_for_sale() {
    let [a, b, c, gone] = std::array::from_fn(|_| edge::ids::new_id());
    let mut service = Service::default();
    service.peers.live.extend([a.clone(), b.clone(), c.clone()]);
    let (target, token) = caller(Role::Customer);
    service.peers.customers.insert(target.clone());
    // Before any model: the popular fallback, empty.
    let cold = service.recommend(&target, &token).await;
    assert_eq!(cold.expect(200)["source"], "popular");
    assert!(recommended(&cold).is_empty());
    let others: Vec<String> = (0..4).map(|_| edge::ids::new_id()).collect();
    let mut purchases: Vec<(&str, &str)> = vec![(&target, &a)];
    for other in &others {
        purchases.extend([
            (other.as_str(), a.as_str()),
            (other, b.as_str()),
            (other, gone.as_str()),
        ]);
    }
    let loner = edge::ids::new_id();
    purchases.push((&loner, &c));
    assert_eq!(
        service.report("sales", &purchases).await.expect(200)["recorded"],
        14
    );
    // Reported again (a retry), nothing more is counted.
    service.report("sales", &purchases).await.expect(200);
    assert_eq!(service.reco.count(), 14);
    service.reco.refit();
    let warm = service.recommend(&target, &token).await;
    assert_eq!(warm.expect(200)["source"], "personalized");
    let items = recommended(&warm);
    assert_eq!(items.first(), Some(&b), "{items:?}");
    assert!(
        !items.contains(&gone),
        "a product no longer for sale: {items:?}"
    );
}

#[tokio::test]
async fn recommendations_are_their_customers_and_need_the_services_they_ask() {
    let mut service = Service::default();
    let (customer, token) = caller(Role::Customer);
    let (_, stranger) = caller(Role::Customer);
    let (_, admin) = caller(Role::Admin);
    service.recommend(&customer, &stranger).await.expect(403);
    service.recommend(&customer, &admin).await.expect(404);
    service.peers.customers.insert(customer.clone());
    service.recommend(&customer, &admin).await.expect(200);
    service.recommend(&customer, &token).await.expect(200);
    service.peers.down = true;
    service.recommend(&customer, &token).await.expect(503);
}

#[tokio::test]
async fn only_sales_reports_purchases_and_only_well_formed_ones() {
    let service = Service::default();
    let (customer, _) = caller(Role::Customer);
    let product = edge::ids::new_id();
    service
        .report("reviews", &[(&customer, &product)])
        .await
        .expect(403);
    service
        .report("sales", &[("someone", &product)])
        .await
        .expect(422);
    service.report("sales", &[]).await.expect(422);
    assert_eq!(service.reco.count(), 0);
}

/// A token from before a password or role change, or of a closed account, writes no
/// review and moderates none: Reviews asks Customers whether it is still current.
#[tokio::test]
async fn tokens_that_are_no_longer_current_write_and_moderate_nothing() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (author, author_token) = caller(Role::Customer);
    let (ops, ops_token) = caller(Role::Admin);
    let review = id_of(service.create(&author_token, &product, 4).await);
    service.peers.accounts.revoke(&author);
    service.create(&author_token, &product, 5).await.expect(401);
    service
        .edit(&review, &author_token, json!({"rating": 1}))
        .await
        .expect(401);
    service.delete(&review, &author_token).await.expect(401);
    service.peers.accounts.revoke(&ops);
    service
        .moderate(&review, &ops_token, "approve")
        .await
        .expect(401);
    let queue = service
        .list(&[("status", "pending")], Some(&ops_token))
        .await;
    queue.expect(401);
    let (_, other_admin) = caller(Role::Admin);
    let queue = service
        .list(&[("status", "pending")], Some(&other_admin))
        .await;
    assert_eq!(queue.expect(200)["items"][0]["id"], review.as_str());
}

/// Every request type of Reviews reports all its invalid fields in one 422.
#[test]
fn every_request_type_reports_all_its_invalid_fields_at_once() {
    use crate::domain::{ModerationRequest, NewReview, ReviewPatch};
    use edge::contracts::reviews::Interaction;
    use testkit::reports_every_invalid_field;
    reports_every_invalid_field::<NewReview>(
        json!({"product_id": "p", "rating": 4, "comment": "Fine"}),
        &[
            ("product_id", json!("")),
            ("rating", json!(0)),
            ("comment", json!("   ")),
        ],
    );
    reports_every_invalid_field::<ReviewPatch>(
        json!({"rating": 4, "comment": "Fine"}),
        &[("rating", json!(6)), ("comment", json!("a\u{202e}b"))],
    );
    reports_every_invalid_field::<ModerationRequest>(
        json!({"action": "approve", "reason": "ok"}),
        &[("reason", json!("x".repeat(501)))],
    );
    reports_every_invalid_field::<Interaction>(
        json!({"event_id": "e", "customer_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK",
               "product_id": "01JD8ZR1A2B3C4D5E6F7G8H9JK", "time": 0, "strength": 1.0,
               "source": "purchase"}),
        &[
            ("event_id", json!("")),
            ("customer_id", json!("x")),
            ("product_id", json!("x")),
            ("time", json!(-1)),
            ("strength", json!(1001.0)),
            ("source", json!("")),
        ],
    );
}

#[tokio::test]
async fn similar_products_are_those_bought_together_and_still_for_sale() {
    let [a, b, c, gone, unknown] = std::array::from_fn(|_| edge::ids::new_id());
    let mut service = Service::default();
    service.peers.live.extend([a.clone(), b.clone(), c.clone()]);
    let similar = |service: &Service, product: &str, limit: &str| {
        let state = State::assemble(
            "similar_products",
            service.reco.clone(),
            service.peers.clone(),
            keys(),
        );
        let request = Call::new(Method::GET)
            .path("id", product)
            .query("limit", limit)
            .build();
        async move { Reply::of(crate::recommendations::similar_products(&state, request).await) }
    };
    // No model yet: known products have no neighbours; unknown ones are 404.
    let cold = similar(&service, &a, "10").await;
    assert!(recommended(&cold).is_empty());
    similar(&service, &unknown, "10").await.expect(404);
    similar(&service, "not-an-id", "10").await.expect(404);
    similar(&service, &a, "0").await.expect(422);
    let buyers: Vec<String> = (0..4).map(|_| edge::ids::new_id()).collect();
    let mut purchases: Vec<(&str, &str)> = Vec::new();
    for (n, buyer) in buyers.iter().enumerate() {
        purchases.extend([(buyer.as_str(), a.as_str()), (buyer, gone.as_str())]);
        if n < 3 {
            purchases.push((buyer, b.as_str()));
        }
        if n == 0 {
            purchases.push((buyer, c.as_str()));
        }
    }
    service.report("sales", &purchases).await.expect(200);
    service.reco.refit();
    let warm = similar(&service, &a, "10").await;
    let items = recommended(&warm);
    assert_eq!(
        items.first(),
        Some(&b),
        "bought with a most often: {items:?}"
    );
    assert!(
        items.contains(&c) && !items.contains(&gone) && !items.contains(&a),
        "{items:?}"
    );
    assert_eq!(warm.expect(200)["product_id"], a.as_str());
    assert_eq!(
        recommended(&similar(&service, &a, "1").await),
        std::slice::from_ref(&b)
    );
    // A deleted product has no page of its own to show neighbours on.
    similar(&service, &gone, "10").await.expect(404);
    service.peers.down = true;
    similar(&service, &a, "10").await.expect(503);
}

/// A demoted admin's earlier token opens no admin view: not another's pending review with
/// its moderation history, not who moderated a product's reviews, not another customer's
/// recommendations. The role a token names only ever narrows what a read shows unless
/// Customers confirms it.
#[tokio::test]
async fn a_demoted_admins_earlier_token_opens_no_admin_view() {
    let product = edge::ids::new_id();
    let mut service = Service::with_product(&product);
    let (customer, _) = caller(Role::Customer);
    service.peers.customers.insert(customer.clone());
    let (_, author) = caller(Role::Customer);
    let (_, other) = caller(Role::Customer);
    let (ops, ops_token) = caller(Role::Admin);
    let (_, root) = caller(Role::Admin);
    let pending = id_of(service.create(&author, &product, 2).await);
    let published = id_of(service.create(&other, &product, 5).await);
    service
        .moderate(&published, &root, "approve")
        .await
        .expect(200);
    // While an admin: all of it.
    let read = service.get(&pending, Some(&ops_token)).await;
    assert_eq!(read.expect(200)["moderation_history"], json!([]));
    let listed = service
        .list(&[("product_id", &product)], Some(&ops_token))
        .await;
    assert!(listed.expect(200)["items"][0]["moderated_by"].is_string());
    service.recommend(&customer, &ops_token).await.expect(200);
    // Demoted: none of it, at once.
    service.peers.accounts.revoke(&ops);
    service.get(&pending, Some(&ops_token)).await.expect(401);
    service.get(&published, Some(&ops_token)).await.expect(401);
    service
        .list(&[("product_id", &product)], Some(&ops_token))
        .await
        .expect(401);
    service.recommend(&customer, &ops_token).await.expect(401);
    // The public view is unchanged, and a customer's token on it needs no confirming.
    let public = service.list(&[("product_id", &product)], None).await;
    assert!(public.expect(200)["items"][0]["moderated_by"].is_null());
    let by_customer = service.get(&published, Some(&author)).await;
    assert!(by_customer.expect(200)["moderated_by"].is_null());
}

/// After a password change, a role change or closing the account (and for a login that
/// ended), earlier tokens read none of their owner's data either: their unpublished
/// review, their reviews listed, their recommendations.
#[tokio::test]
async fn tokens_that_are_no_longer_current_read_none_of_their_owners_data() {
    let product = edge::ids::new_id();
    let mut service = Service::with_product(&product);
    let (author, author_token) = caller(Role::Customer);
    service.peers.customers.insert(author.clone());
    let review = id_of(service.create(&author_token, &product, 4).await);
    let mine = [("customer_id", author.as_str())];
    service.get(&review, Some(&author_token)).await.expect(200);
    service.list(&mine, Some(&author_token)).await.expect(200);
    service.recommend(&author, &author_token).await.expect(200);
    // A login that ended (a logout, a reused refresh token): its tokens only.
    let login = edge::ids::new_id();
    let ended = testkit::session_token(&author, Role::Customer, &login);
    service.get(&review, Some(&ended)).await.expect(200);
    service.peers.accounts.end_session(&login);
    service.get(&review, Some(&ended)).await.expect(401);
    service.list(&mine, Some(&ended)).await.expect(401);
    service.recommend(&author, &ended).await.expect(401);
    service.get(&review, Some(&author_token)).await.expect(200);
    // A password change: every earlier token.
    service.peers.accounts.revoke(&author);
    service.get(&review, Some(&author_token)).await.expect(401);
    service.list(&mine, Some(&author_token)).await.expect(401);
    service.recommend(&author, &author_token).await.expect(401);
}

/// RFC 9110 §13.2.1: a precondition is evaluated only for a request that would otherwise
/// succeed. An unknown review is a 404 and one's own review a 403 with or without
/// `If-Match`; only a review the admin may moderate is told it lacks one (428).
#[tokio::test]
async fn moderation_checks_the_review_before_its_precondition() {
    let product = edge::ids::new_id();
    let service = Service::with_product(&product);
    let (_, admin) = caller(Role::Admin);
    let (_, author) = caller(Role::Customer);
    let unknown = edge::ids::new_id();
    for if_match in [None, Some("\"1\"")] {
        service
            .moderate_at(&unknown, &admin, "approve", if_match)
            .await
            .expect(404);
    }
    let own = id_of(service.create(&admin, &product, 5).await);
    service
        .moderate_at(&own, &admin, "approve", None)
        .await
        .expect(403);
    let theirs = id_of(service.create(&author, &product, 5).await);
    service
        .moderate_at(&theirs, &author, "approve", None)
        .await
        .expect(403);
    service
        .moderate_at(&theirs, &admin, "approve", None)
        .await
        .expect(428);
}
