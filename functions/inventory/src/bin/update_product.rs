shared::function!(
    inventory::handlers::update_product::<
        inventory::store::Store,
        shared::contracts::customers::Client,
    >
);
