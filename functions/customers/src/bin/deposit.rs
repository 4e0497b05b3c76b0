runtime::function!(customers::handlers::deposit::<customers::store::Store>);
