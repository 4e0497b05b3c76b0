shared::function!(
    reviews::handlers::moderate_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        shared::contracts::customers::Client,
    >
);
