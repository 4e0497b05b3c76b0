#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    shared::runtime::serve(sales::Reading::listing(), sales::handlers::sales_history).await
}
