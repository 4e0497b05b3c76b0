shared::function!(sales::handlers::sales_history);
