shared::function!(customers::handlers::deposit::<customers::store::Store>);
