shared::function!(customers::handlers::customer_status);
