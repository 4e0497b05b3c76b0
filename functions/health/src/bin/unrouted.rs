runtime::function!(health::unrouted);
