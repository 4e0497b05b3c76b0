shared::function!(customers::handlers::login);
