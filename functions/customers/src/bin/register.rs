runtime::function!(customers::handlers::register::<customers::store::Store>);
