shared::function!(web::api_docs);
