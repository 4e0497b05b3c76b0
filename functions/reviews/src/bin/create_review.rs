shared::function!(reviews::handlers::create_review);
