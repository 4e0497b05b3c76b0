//! The scheduled recommendation refresh. As a Lambda (an EventBridge schedule) it
//! refreshes on every event; run from a shell it refreshes once and prints its report.

use lambda_runtime::{service_fn, LambdaEvent};
use reviews::reco_store::RecoStore;
use reviews::refresh;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::init_tracing();
    let table = shared::config::required("RECO_TABLE")?;
    let store: &'static RecoStore = Box::leak(Box::new(RecoStore::new(
        shared::db::batch_client().await,
        table,
    )));
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        lambda_runtime::run(service_fn(
            move |_: LambdaEvent<serde_json::Value>| async move {
                refresh::run(store)
                    .await
                    .map_err(lambda_runtime::Error::from)
            },
        ))
        .await
    } else {
        let report = refresh::run(store).await?;
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}
