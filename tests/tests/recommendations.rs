//! Recommendations end to end: purchases and approved reviews feed the model, the
//! scheduled refresh fits it, and a customer's new activity counts at once.
#![cfg(feature = "stack")]

use e2e::*;
use futures::future::join_all;

#[tokio::test]
async fn a_new_purchase_changes_recommendations_at_once() {
    let admin = admin_token().await;
    let products = bought_together(&admin).await;
    let newcomer = new_customer().await;
    fund(&newcomer, 1_000).await;
    let before = recommendations(&newcomer).await;
    assert_eq!(before["source"], "popular");
    assert_eq!(before["customer_id"], newcomer.id);
    assert!(before["generated_at"].is_string());

    // No refresh in between: the purchase itself changes the list.
    buy(&newcomer, &products[0], 1, None).await.expect(201);
    let after = recommendations(&newcomer).await;
    assert_eq!(after["source"], "personalized");
    let ids = recommended(&after);
    assert_eq!(ids.first(), Some(&products[1]), "{after}");
    assert!(
        !ids.contains(&products[0]),
        "a bought product was recommended"
    );
    assert!(after["items"][0]["score"].as_f64().unwrap() > 0.0);

    // A deleted product is never recommended.
    delete(&format!("/products/{}", products[1]), Some(&admin)).await;
    let ids = recommended(&recommendations(&newcomer).await);
    assert!(
        !ids.contains(&products[1]) && !ids.contains(&products[0]),
        "{ids:?}"
    );
}

#[tokio::test]
async fn an_approved_review_counts_as_an_interaction() {
    let admin = admin_token().await;
    let products = bought_together(&admin).await;
    let reader = new_customer().await;
    let id = review(&reader, &products[2], 5, "looks great")
        .await
        .expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        recommendations(&reader).await["source"],
        "popular",
        "pending reviews do not count"
    );
    moderate(&admin, &id, "approve").await.expect(200);
    let recs = recommendations(&reader).await;
    assert_eq!(recs["source"], "personalized");
    assert_eq!(recommended(&recs).first(), Some(&products[3]));
    assert!(!recommended(&recs).contains(&products[2]));
    // Rejected again: it no longer counts.
    moderate(&admin, &id, "reject").await.expect(200);
    assert_eq!(recommendations(&reader).await["source"], "popular");
}

#[tokio::test]
async fn recommendations_are_private_and_bounded() {
    let admin = admin_token().await;
    let alice = new_customer().await;
    let bob = new_customer().await;
    let path = format!("/recommendations/{}", alice.id);
    get(&path, Some(&bob.token)).await.problem(403);
    get(&path, None).await.problem(401);
    get(&path, Some(&admin)).await.expect(200);
    get(
        &format!("/recommendations/{}", ulid::Ulid::new()),
        Some(&admin),
    )
    .await
    .problem(404);
    get("/recommendations/not-an-id", Some(&admin))
        .await
        .problem(404);
    for limit in ["0", "51", "x"] {
        get(&format!("{path}?limit={limit}"), Some(&alice.token))
            .await
            .problem(422);
    }
    let five = get(&format!("{path}?limit=5"), Some(&alice.token)).await;
    assert!(five.expect(200)["items"].as_array().unwrap().len() <= 5);
    // A deleted customer is unknown.
    delete(&format!("/profile/{}", bob.id), Some(&bob.token)).await;
    get(&format!("/recommendations/{}", bob.id), Some(&admin))
        .await
        .problem(404);
}

#[tokio::test]
async fn refreshes_can_run_twice_at_once() {
    let admin = admin_token().await;
    let products = bought_together(&admin).await;
    let reports = join_all(
        (0..2).map(|_| tokio::task::spawn_blocking(|| run_job("refresh_recommendations"))),
    )
    .await;
    let activated = reports
        .iter()
        .filter(|r| r.as_ref().unwrap()["activated"] == true)
        .count();
    assert!(activated >= 1, "{reports:?}");
    let buyer = new_customer().await;
    fund(&buyer, 1_000).await;
    buy(&buyer, &products[2], 1, None).await.expect(201);
    assert_eq!(
        recommended(&recommendations(&buyer).await).first(),
        Some(&products[3])
    );
}

#[tokio::test]
async fn internal_routes_of_the_recommender_need_a_service_token() {
    let customer = new_customer().await;
    let body = serde_json::json!({"interactions": [{"event_id": "e1", "customer_id": customer.id,
                                  "product_id": customer.id, "time": 1, "strength": 1, "source": "purchase"}]});
    post(
        "/internal/reviews/interactions",
        Some(&customer.token),
        &body,
    )
    .await
    .problem(401);
    get(
        &format!("/internal/customers/{}", customer.id),
        Some(&customer.token),
    )
    .await
    .problem(401);
    post(
        "/internal/inventory/availability",
        Some(&customer.token),
        &serde_json::json!({"product_ids": ["x"]}),
    )
    .await
    .problem(401);
    let (reviews, sales) = (service_token("reviews"), service_token("sales"));
    assert_eq!(
        get(
            &format!("/internal/customers/{}", customer.id),
            Some(&reviews)
        )
        .await
        .expect(200)["status"],
        "active"
    );
    get(
        &format!("/internal/customers/{}", ulid::Ulid::new()),
        Some(&reviews),
    )
    .await
    .problem(404);
    post(
        "/internal/inventory/availability",
        Some(&reviews),
        &serde_json::json!({"product_ids": []}),
    )
    .await
    .problem(422);
    let mut bad = body.clone();
    bad["interactions"][0]["strength"] = serde_json::json!(-1);
    post("/internal/reviews/interactions", Some(&sales), &bad)
        .await
        .problem(422);
    post(
        "/internal/reviews/interactions",
        Some(&sales),
        &serde_json::json!({"interactions": []}),
    )
    .await
    .problem(422);
}

#[tokio::test]
async fn similar_products_are_the_ones_bought_together() {
    let admin = admin_token().await;
    let products = bought_together(&admin).await;
    let similar = get(&format!("/products/{}/similar", products[0]), None).await;
    let similar = similar.expect(200).clone();
    assert_eq!(similar["product_id"], products[0].as_str());
    let ids = recommended(&similar);
    assert_eq!(ids.first(), Some(&products[1]), "{similar}");
    assert!(!ids.contains(&products[0]));
    assert!(similar["generated_at"].is_string());
    let one = get(&format!("/products/{}/similar?limit=1", products[2]), None).await;
    assert_eq!(recommended(one.expect(200)), [products[3].clone()]);
    // A product the model has not seen: an empty list; an unknown one: 404.
    let fresh = create_product(&admin, "reco-fresh", 100, 1).await;
    let fresh = get(
        &format!("/products/{}/similar", fresh["id"].as_str().unwrap()),
        None,
    )
    .await;
    assert!(recommended(fresh.expect(200)).is_empty());
    get("/products/01JD8ZR1A2B3C4D5E6F7G8H9JK/similar", None)
        .await
        .problem(404);
    get(&format!("/products/{}/similar?limit=51", products[0]), None)
        .await
        .problem(422);
    // A neighbour deleted since the refresh is left out.
    delete(&format!("/products/{}", products[1]), Some(&admin))
        .await
        .expect(204);
    let after = get(&format!("/products/{}/similar", products[0]), None).await;
    assert!(!recommended(after.expect(200)).contains(&products[1]));
}
