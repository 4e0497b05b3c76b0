shared::function!(reviews::handlers::get_review::<reviews::store::Store>);
