shared::function!(customers::handlers::delete_profile);
