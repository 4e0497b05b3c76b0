shared::function!(web::web_asset);
