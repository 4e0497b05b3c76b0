shared::function!(
    sales::handlers::get_sale::<sales::store::Store, shared::contracts::customers::Client>
);
