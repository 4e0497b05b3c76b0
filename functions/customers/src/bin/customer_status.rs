// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(customers::handlers::customer_status::<customers::store::Store>);
