shared::function!(
    reviews::handlers::get_review::<reviews::store::Store, shared::contracts::customers::Client>
);
