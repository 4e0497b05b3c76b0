runtime::function!(inventory::handlers::product_availability::<inventory::store::Store>);
