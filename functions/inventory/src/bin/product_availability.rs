#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        inventory::State::internal(),
        inventory::handlers::product_availability,
    )
    .await
}
