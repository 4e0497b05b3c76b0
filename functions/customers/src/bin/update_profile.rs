shared::function!(customers::handlers::update_profile);
