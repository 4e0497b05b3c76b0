shared::function!(reviews::handlers::update_review);
