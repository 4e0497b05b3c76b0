#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        customers::State::internal(),
        customers::handlers::customer_status,
    )
    .await
}
