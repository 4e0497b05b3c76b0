shared::function!(customers::handlers::register);
