//! The scheduled reconciler. As a Lambda (an EventBridge schedule) it reconciles on
//! every event; run from a shell (no Lambda runtime around it) it reconciles once and
//! prints its report.

use lambda_runtime::{service_fn, LambdaEvent};
use sales::{reconcile, saga, State};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    shared::runtime::init_tracing();
    let state: &'static State<saga::Services> =
        Box::leak(Box::new(State::load(env!("CARGO_BIN_NAME")).await?));
    if std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some() {
        lambda_runtime::run(service_fn(
            move |_: LambdaEvent<serde_json::Value>| async move {
                reconcile::run(&state.store, &state.services)
                    .await
                    .map_err(lambda_runtime::Error::from)
            },
        ))
        .await
    } else {
        let report = reconcile::run(&state.store, &state.services).await?;
        println!("{}", serde_json::to_string(&report)?);
        Ok(())
    }
}
