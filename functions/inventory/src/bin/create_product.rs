shared::function!(inventory::handlers::create_product);
