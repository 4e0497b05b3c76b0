shared::function!(inventory::handlers::list_products);
