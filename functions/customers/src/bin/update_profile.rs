runtime::function!(customers::handlers::update_profile::<customers::store::Store>);
