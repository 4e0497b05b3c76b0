shared::function!(health::openapi_document);
