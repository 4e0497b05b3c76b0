runtime::function!(web::web_asset);
