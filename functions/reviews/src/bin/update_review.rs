// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::handlers::update_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        edge::contracts::customers::Client,
    >
);
