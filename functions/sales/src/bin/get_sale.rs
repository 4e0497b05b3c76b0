#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(sales::Reading::<()>::load(), sales::handlers::get_sale).await
}
