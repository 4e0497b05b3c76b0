shared::function!(
    reviews::handlers::delete_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        shared::contracts::customers::Client,
    >
);
