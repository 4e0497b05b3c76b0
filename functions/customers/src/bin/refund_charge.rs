// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(customers::handlers::refund_charge::<customers::store::Store>);
