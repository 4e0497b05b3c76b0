shared::function!(inventory::handlers::delete_product);
