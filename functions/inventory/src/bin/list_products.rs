#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        inventory::State::listing(),
        inventory::handlers::list_products,
    )
    .await
}
