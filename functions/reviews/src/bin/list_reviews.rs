// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::handlers::list_reviews::<reviews::store::Store, edge::contracts::customers::Client>
);
