runtime::function!(inventory::handlers::restock::<inventory::store::Store>);
