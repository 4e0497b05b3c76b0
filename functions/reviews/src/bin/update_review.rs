runtime::function!(
    reviews::handlers::update_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        edge::contracts::customers::Client,
    >
);
