runtime::function!(customers::handlers::charge_wallet::<customers::store::Store>);
