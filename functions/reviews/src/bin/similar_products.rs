runtime::function!(
    reviews::recommendations::similar_products::<reviews::reco_store::RecoStore, reviews::Catalog>
);
