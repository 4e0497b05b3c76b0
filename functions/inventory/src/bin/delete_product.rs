// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    inventory::handlers::delete_product::<
        inventory::store::Store,
        edge::contracts::customers::Client,
    >
);
