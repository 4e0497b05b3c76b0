runtime::function!(customers::handlers::credit_wallet::<customers::store::Store>);
