#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(reviews::State::<()>::load(), reviews::handlers::get_review).await
}
