// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(inventory::handlers::reserve_stock::<inventory::store::Store>);
