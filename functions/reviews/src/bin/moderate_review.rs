shared::function!(reviews::handlers::moderate_review);
