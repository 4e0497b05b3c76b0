runtime::function!(reviews::recommendations::record_interaction::<reviews::reco_store::RecoStore>);
