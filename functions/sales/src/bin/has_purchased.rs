shared::function!(sales::handlers::has_purchased);
