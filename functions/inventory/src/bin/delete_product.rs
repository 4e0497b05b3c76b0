runtime::function!(
    inventory::handlers::delete_product::<
        inventory::store::Store,
        edge::contracts::customers::Client,
    >
);
