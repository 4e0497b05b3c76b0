runtime::function!(customers::handlers::customer_status::<customers::store::Store>);
