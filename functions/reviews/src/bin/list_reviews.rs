shared::function!(
    reviews::handlers::list_reviews::<reviews::store::Store, shared::contracts::customers::Client>
);
