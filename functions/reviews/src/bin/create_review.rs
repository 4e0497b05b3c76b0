// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::handlers::create_review::<reviews::store::Store, reviews::ReviewChecks>
);
