runtime::function!(
    reviews::handlers::moderate_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        edge::contracts::customers::Client,
    >
);
