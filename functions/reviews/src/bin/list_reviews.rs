shared::function!(reviews::handlers::list_reviews::<reviews::store::Store>);
