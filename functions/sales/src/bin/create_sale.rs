#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(sales::Purchasing::load(), sales::handlers::create_sale).await
}
