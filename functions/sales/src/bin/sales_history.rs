shared::function!(
    sales::handlers::sales_history::<sales::store::Store, shared::contracts::customers::Client>
);
