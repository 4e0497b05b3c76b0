//! Reviews end to end: create, visibility, edit, delete, listings, moderation.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;
use serde_json::json;

async fn product_id(admin: &str) -> String {
    create_product(admin, "reviews", 1_000, 50).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_review_is_pending_until_an_admin_approves_it() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let author = new_customer().await;
    let created = review(
        &author,
        &product,
        4,
        "  Solid <script>alert('x')</script> build \u{1F44D}  ",
    )
    .await;
    let body = created.expect(201).clone();
    assert_eq!(body["status"], "pending");
    assert_eq!(
        body["comment"], "Solid <script>alert('x')</script> build \u{1F44D}",
        "trimmed, stored as text"
    );
    assert_eq!(body["verified_purchase"], false);
    assert_eq!(body["customer_id"], author.id);
    let id = body["id"].as_str().unwrap();
    let path = format!("/reviews/{id}");

    // Pending: its author and admins see it; nobody else does.
    get(&path, Some(&author.token)).await.expect(200);
    get(&path, Some(&admin)).await.expect(200);
    get(&path, None).await.problem(404);
    let stranger = new_customer().await;
    get(&path, Some(&stranger.token)).await.problem(404);
    let listed = get(&format!("/reviews?product_id={product}"), None).await;
    assert!(listed.expect(200)["items"].as_array().unwrap().is_empty());
    assert_eq!(listed.body["summary"]["count"], 0);
    assert_eq!(
        listed.body["summary"]["average_rating"],
        serde_json::Value::Null
    );

    // Moderation: admins only.
    moderate(&author.token, id, "approve").await.problem(403);
    post(
        &format!("{path}/moderate"),
        None,
        &json!({"action": "approve"}),
    )
    .await
    .problem(401);
    let approved = moderate(&admin, id, "approve").await;
    let approved = approved.expect(200);
    assert_eq!(approved["status"], "approved");
    assert!(approved["moderated_by"].is_string() && approved["moderated_at"].is_string());
    assert_eq!(approved["moderation_reason"], "checked");
    assert_eq!(approved["moderation_history"].as_array().unwrap().len(), 1);

    // Approved: public, in the product's list and summary; the audit trail is for admins.
    let public = get(&path, None).await;
    assert_eq!(public.expect(200)["status"], "approved");
    assert!(public.body.get("moderation_history").is_none());
    let listed = get(&format!("/reviews?product_id={product}"), None).await;
    assert_eq!(listed.expect(200)["items"][0]["id"], id);
    assert_eq!(listed.body["summary"]["count"], 1);
    assert_eq!(listed.body["summary"]["average_rating"], 4.0);
}

#[tokio::test]
async fn the_summary_counts_approved_reviews_only() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let mut ids = Vec::new();
    for rating in [5, 4, 2, 1] {
        let customer = new_customer().await;
        ids.push(
            review(&customer, &product, rating, "fine")
                .await
                .expect(201)["id"]
                .as_str()
                .unwrap()
                .to_string(),
        );
    }
    moderate(&admin, &ids[0], "approve").await.expect(200);
    moderate(&admin, &ids[1], "approve").await.expect(200);
    moderate(&admin, &ids[2], "reject").await.expect(200);
    let listed = get(&format!("/reviews?product_id={product}"), None).await;
    assert_eq!(listed.expect(200)["summary"]["count"], 2);
    assert_eq!(listed.body["summary"]["average_rating"], 4.5);
    // A rejected review is hidden again; approving it later counts it.
    get(&format!("/reviews/{}", ids[2]), None)
        .await
        .problem(404);
    moderate(&admin, &ids[2], "approve").await.expect(200);
    let listed = get(&format!("/reviews?product_id={product}"), None).await;
    assert_eq!(listed.expect(200)["summary"]["count"], 3);
    assert_eq!(listed.body["summary"]["average_rating"], 3.67);
    // The trail keeps both decisions.
    let trail = get(&format!("/reviews/{}", ids[2]), Some(&admin)).await;
    assert_eq!(
        trail.expect(200)["moderation_history"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn one_review_per_customer_and_product_even_concurrently() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let author = new_customer().await;
    let replies = join_all((0..6).map(|i| {
        let (author, product) = (&author, product.clone());
        async move {
            review(author, &product, 5, &format!("attempt {i}"))
                .await
                .status
                .as_u16()
        }
    }))
    .await;
    let mut sorted = replies.clone();
    sorted.sort();
    assert_eq!(sorted, [201, 409, 409, 409, 409, 409]);
    let mine = get(
        &format!("/reviews?customer_id={}", author.id),
        Some(&author.token),
    )
    .await;
    assert_eq!(mine.expect(200)["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn verified_purchase_comes_from_sales() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let buyer = new_customer().await;
    fund(&buyer, 5_000).await;
    buy(&buyer, &product, 1, None).await.expect(201);
    assert_eq!(
        review(&buyer, &product, 5, "bought it").await.expect(201)["verified_purchase"],
        true
    );
    let browser = new_customer().await;
    assert_eq!(
        review(&browser, &product, 3, "saw it").await.expect(201)["verified_purchase"],
        false
    );
}

#[tokio::test]
async fn bad_reviews_are_refused() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let author = new_customer().await;
    review(&author, &ulid::Ulid::new().to_string(), 5, "ghost")
        .await
        .problem(404);
    review(&author, "not-an-id", 5, "ghost").await.problem(404);
    for (rating, comment) in [(0, "x"), (6, "x"), (3, "   "), (3, "")] {
        review(&author, &product, rating, comment)
            .await
            .problem(422);
    }
    review(&author, &product, 3, &"é".repeat(2001))
        .await
        .problem(422);
    review(&author, &product, 3, &format!("  {}  ", "é".repeat(2000)))
        .await
        .expect(201);
    post(
        "/reviews",
        Some(&author.token),
        &json!({"product_id": product, "rating": 4.5, "comment": "x"}),
    )
    .await
    .problem(400);
    post(
        "/reviews",
        Some(&author.token),
        &json!({"product_id": product, "rating": 4, "comment": "x", "status": "approved"}),
    )
    .await
    .problem(400);
    post(
        "/reviews",
        None,
        &json!({"product_id": product, "rating": 4, "comment": "x"}),
    )
    .await
    .problem(401);
    // A deleted product takes no new reviews.
    let gone = product_id(&admin).await;
    delete(&format!("/products/{gone}"), Some(&admin)).await;
    review(&author, &gone, 4, "too late").await.problem(404);
}

#[tokio::test]
async fn authors_edit_and_delete_their_own_reviews() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let author = new_customer().await;
    let other = new_customer().await;
    let id = review(&author, &product, 2, "meh").await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    moderate(&admin, &id, "approve").await.expect(200);
    let path = format!("/reviews/{id}");
    // Approved, so visible to all, but only its author edits it.
    patch(&path, Some(&other.token), &json!({"rating": 5}))
        .await
        .problem(403);
    patch(&path, Some(&admin), &json!({"rating": 5}))
        .await
        .problem(403);
    patch(&path, Some(&author.token), &json!({}))
        .await
        .problem(422);
    patch(&path, Some(&author.token), &json!({"rating": 9}))
        .await
        .problem(422);
    let edited = patch(
        &path,
        Some(&author.token),
        &json!({"rating": 4, "comment": " better now "}),
    )
    .await;
    let edited = edited.expect(200);
    assert_eq!(
        (
            edited["rating"].as_i64(),
            edited["comment"].as_str(),
            edited["status"].as_str()
        ),
        (Some(4), Some("better now"), Some("pending"))
    );
    assert_eq!(edited["moderated_by"], serde_json::Value::Null);
    // Back to pending: hidden from the public list, and in the moderation queue.
    get(&path, None).await.problem(404);
    let queue = get("/reviews?status=pending&limit=100", Some(&admin)).await;
    assert!(queue.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["id"] == id.as_str()));
    get("/reviews?status=pending", Some(&author.token))
        .await
        .problem(403);
    get("/reviews?status=pending", None).await.problem(401);
    get("/reviews?status=bogus", Some(&admin))
        .await
        .problem(422);
    // Deleting: not by others; by the author; and then a new review is possible.
    delete(&path, Some(&other.token)).await.problem(404);
    assert_eq!(delete(&path, Some(&author.token)).await.status, 204);
    get(&path, Some(&admin)).await.problem(404);
    delete(&path, Some(&author.token)).await.problem(404);
    review(&author, &product, 5, "second thoughts")
        .await
        .expect(201);
}

#[tokio::test]
async fn admins_delete_any_review_and_lists_are_guarded() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let author = new_customer().await;
    let other = new_customer().await;
    let id = review(&author, &product, 1, "awful").await.expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        delete(&format!("/reviews/{id}"), Some(&admin)).await.status,
        204
    );
    get(
        &format!("/reviews?customer_id={}", author.id),
        Some(&other.token),
    )
    .await
    .problem(403);
    get(&format!("/reviews?customer_id={}", author.id), None)
        .await
        .problem(401);
    get(&format!("/reviews?customer_id={}", author.id), Some(&admin))
        .await
        .expect(200);
    get("/reviews", None).await.problem(422);
    get(
        &format!("/reviews?product_id={product}&status=pending"),
        Some(&admin),
    )
    .await
    .problem(422);
    get(
        &format!("/reviews?product_id={product}&cursor=forged.cursor"),
        None,
    )
    .await
    .problem(400);
    get("/reviews/not-an-id", None).await.problem(404);
}

#[tokio::test]
async fn review_lists_page() {
    let admin = admin_token().await;
    let product = product_id(&admin).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let customer = new_customer().await;
        let id = review(&customer, &product, 5, "great").await.expect(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        moderate(&admin, &id, "approve").await.expect(200);
        ids.push(id);
    }
    let first = get(&format!("/reviews?product_id={product}&limit=2"), None).await;
    let page: Vec<&str> = first.expect(200)["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(page, [ids[2].as_str(), ids[1].as_str()], "newest first");
    let cursor = first.body["next_cursor"].as_str().unwrap();
    let second = get(
        &format!("/reviews?product_id={product}&limit=2&cursor={cursor}"),
        None,
    )
    .await;
    assert_eq!(second.expect(200)["items"][0]["id"], ids[0].as_str());
    assert_eq!(second.body["summary"]["count"], 3);
}

/// RFC 9110 §13.2.1: a precondition is evaluated only for a request that would otherwise
/// succeed. Moderating an unknown review is a 404, with or without `If-Match`; one's own
/// a 403; only a review the admin may moderate is told it lacks `If-Match` (428).
#[tokio::test]
async fn moderation_answers_what_is_wrong_before_a_missing_if_match() {
    let admin = admin_token().await;
    let moderate_bare = |id: String| {
        let admin = admin.clone();
        async move {
            send(
                request(
                    reqwest::Method::POST,
                    &format!("/reviews/{id}/moderate"),
                    Some(&admin),
                )
                .json(&json!({"action": "approve"})),
            )
            .await
        }
    };
    moderate_bare(ulid::Ulid::new().to_string())
        .await
        .problem(404);
    let product = product_id(&admin).await;
    let author = new_customer().await;
    let created = review(&author, &product, 4, "Waiting.").await;
    let id = created.expect(201)["id"].as_str().unwrap().to_string();
    let bare = moderate_bare(id).await;
    assert_eq!(bare.problem(428)["type"], "/problems/precondition-required");
}
