shared::function!(reviews::handlers::delete_review);
