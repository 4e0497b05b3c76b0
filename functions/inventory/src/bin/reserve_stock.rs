shared::function!(inventory::handlers::reserve_stock);
