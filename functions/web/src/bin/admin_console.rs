runtime::function!(web::admin_console);
