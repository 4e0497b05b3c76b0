#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(customers::State::load(), customers::handlers::get_profile).await
}
