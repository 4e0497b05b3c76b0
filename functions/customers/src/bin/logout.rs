runtime::function!(customers::handlers::logout::<customers::store::Store>);
