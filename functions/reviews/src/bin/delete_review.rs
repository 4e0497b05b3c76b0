#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        reviews::State::moderating(),
        reviews::handlers::delete_review,
    )
    .await
}
