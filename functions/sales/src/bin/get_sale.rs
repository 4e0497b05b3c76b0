shared::function!(sales::handlers::get_sale);
