runtime::function!(sales::handlers::create_sale);
