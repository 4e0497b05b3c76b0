runtime::function!(
    reviews::handlers::get_review::<reviews::store::Store, edge::contracts::customers::Client>
);
