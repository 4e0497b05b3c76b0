shared::function!(sales::handlers::create_sale);
