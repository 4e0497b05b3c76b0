runtime::function!(customers::handlers::get_profile::<customers::store::Store>);
