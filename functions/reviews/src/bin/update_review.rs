shared::function!(
    reviews::handlers::update_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        shared::contracts::customers::Client,
    >
);
