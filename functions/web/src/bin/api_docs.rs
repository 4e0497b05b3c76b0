runtime::function!(web::api_docs);
