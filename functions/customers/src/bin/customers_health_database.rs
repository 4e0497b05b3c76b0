runtime::function!(runtime::health::database);
