shared::function!(inventory::handlers::release_stock);
