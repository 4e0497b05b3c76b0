runtime::function!(customers::handlers::login::<customers::store::Store>);
