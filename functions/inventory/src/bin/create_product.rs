shared::function!(
    inventory::handlers::create_product::<
        inventory::store::Store,
        shared::contracts::customers::Client,
    >
);
