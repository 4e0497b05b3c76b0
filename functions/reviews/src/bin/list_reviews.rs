runtime::function!(
    reviews::handlers::list_reviews::<reviews::store::Store, edge::contracts::customers::Client>
);
