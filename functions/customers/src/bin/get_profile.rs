shared::function!(customers::handlers::get_profile);
