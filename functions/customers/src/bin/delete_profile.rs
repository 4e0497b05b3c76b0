runtime::function!(customers::handlers::delete_profile::<customers::store::Store>);
