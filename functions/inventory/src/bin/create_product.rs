runtime::function!(
    inventory::handlers::create_product::<
        inventory::store::Store,
        edge::contracts::customers::Client,
    >
);
