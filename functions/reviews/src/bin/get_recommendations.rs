runtime::function!(
    reviews::recommendations::get_recommendations::<
        reviews::reco_store::RecoStore,
        reviews::RecommendationChecks,
    >
);
