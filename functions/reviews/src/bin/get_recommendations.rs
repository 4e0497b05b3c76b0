shared::function!(reviews::recommendations::get_recommendations);
