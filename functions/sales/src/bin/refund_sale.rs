shared::function!(sales::handlers::refund_sale);
