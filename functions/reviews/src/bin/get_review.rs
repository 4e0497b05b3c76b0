shared::function!(reviews::handlers::get_review);
