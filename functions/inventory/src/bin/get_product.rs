shared::function!(inventory::handlers::get_product);
