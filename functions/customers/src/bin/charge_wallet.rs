shared::function!(customers::handlers::charge_wallet);
