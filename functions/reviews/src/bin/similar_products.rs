// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(
    reviews::recommendations::similar_products::<reviews::reco_store::RecoStore, reviews::Catalog>
);
