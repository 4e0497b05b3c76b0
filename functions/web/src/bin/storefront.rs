shared::function!(web::storefront);
