runtime::function!(health::openapi_document);
