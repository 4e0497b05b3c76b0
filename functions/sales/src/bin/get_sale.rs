runtime::function!(
    sales::handlers::get_sale::<sales::store::Store, edge::contracts::customers::Client>
);
