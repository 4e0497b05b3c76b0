shared::function!(health::unrouted);
