runtime::function!(customers::handlers::token_refresh::<customers::store::Store>);
