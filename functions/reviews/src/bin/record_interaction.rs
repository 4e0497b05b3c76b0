#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        reviews::State::internal(),
        reviews::recommendations::record_interaction,
    )
    .await
}
