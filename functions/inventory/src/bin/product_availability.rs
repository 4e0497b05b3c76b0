shared::function!(inventory::handlers::product_availability);
