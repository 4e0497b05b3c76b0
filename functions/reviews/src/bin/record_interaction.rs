// Generated from shared/endpoints/src/lib.rs by `cargo xtask codegen`; edit that, not this.
runtime::function!(reviews::recommendations::record_interaction::<reviews::reco_store::RecoStore>);
