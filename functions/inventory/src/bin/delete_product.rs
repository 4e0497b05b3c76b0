shared::function!(
    inventory::handlers::delete_product::<
        inventory::store::Store,
        shared::contracts::customers::Client,
    >
);
