#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(
        reviews::Recommending::load(),
        reviews::recommendations::get_recommendations,
    )
    .await
}
