runtime::function!(
    inventory::handlers::update_product::<
        inventory::store::Store,
        edge::contracts::customers::Client,
    >
);
