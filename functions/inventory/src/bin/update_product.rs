shared::function!(inventory::handlers::update_product);
