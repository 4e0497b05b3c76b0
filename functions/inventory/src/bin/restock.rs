// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(inventory::handlers::restock::<inventory::store::Store>);
