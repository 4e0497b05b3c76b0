runtime::function!(
    reviews::handlers::create_review::<reviews::store::Store, reviews::ReviewChecks>
);
