// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    sales::handlers::sales_history::<sales::store::Store, edge::contracts::customers::Client>
);
