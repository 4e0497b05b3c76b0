shared::function!(customers::handlers::refund_charge);
