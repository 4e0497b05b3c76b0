shared::function!(shared::health::database);
