runtime::function!(
    reviews::handlers::delete_review::<
        reviews::store::Store,
        reviews::reco_store::RecoStore,
        edge::contracts::customers::Client,
    >
);
