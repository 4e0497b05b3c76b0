// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::recommendations::get_recommendations::<
        reviews::reco_store::RecoStore,
        reviews::RecommendationChecks,
    >
);
