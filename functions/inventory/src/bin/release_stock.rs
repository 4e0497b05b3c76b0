runtime::function!(inventory::handlers::release_stock::<inventory::store::Store>);
