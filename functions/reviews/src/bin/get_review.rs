// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::handlers::get_review::<reviews::store::Store, edge::contracts::customers::Client>
);
