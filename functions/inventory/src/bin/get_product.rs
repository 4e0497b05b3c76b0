runtime::function!(inventory::handlers::get_product::<inventory::store::Store>);
