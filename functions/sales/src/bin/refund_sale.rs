runtime::function!(sales::handlers::refund_sale);
