#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::health::serve_database("inventory", shared::health::INVENTORY_TABLES).await
}
