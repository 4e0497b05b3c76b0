shared::function!(shared::health::status);
