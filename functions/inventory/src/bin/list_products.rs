runtime::function!(inventory::handlers::list_products::<inventory::store::Store>);
