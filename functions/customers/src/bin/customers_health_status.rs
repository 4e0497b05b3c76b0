runtime::function!(runtime::health::status);
