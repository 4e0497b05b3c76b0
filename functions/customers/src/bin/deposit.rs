shared::function!(customers::handlers::deposit);
