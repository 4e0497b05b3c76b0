runtime::function!(inventory::handlers::reserve_stock::<inventory::store::Store>);
