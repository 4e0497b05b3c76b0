runtime::function!(
    sales::handlers::sales_history::<sales::store::Store, edge::contracts::customers::Client>
);
