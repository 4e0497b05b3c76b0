runtime::function!(web::storefront);
