shared::function!(reviews::handlers::list_reviews);
