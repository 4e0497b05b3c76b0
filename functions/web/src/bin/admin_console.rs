shared::function!(web::admin_console);
