//! Each service's store contract (`<service>::contract`), on the DynamoDB store against
//! the local stack's DynamoDB Local (`DYNAMODB_ENDPOINT`, the tables from template.yaml
//! under the names local/env.sh exports). The same suites run on the in-memory doubles
//! in the services' unit tests: a rule that holds on one and not the other is a drift.
//! Every id is fresh per run, so the suites share the tables with the other tests.

fn table(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| panic!("{variable} (source local/env.sh)"))
}

/// The client the functions build: `DYNAMODB_ENDPOINT`, `AWS_REGION` and the local
/// credentials from local/env.sh.
macro_rules! client {
    () => {
        shared::db::client().expect("the DynamoDB client (source local/env.sh)")
    };
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sales_table_keeps_the_sales_contract() {
    let store = sales::store::Store::new(client!(), table("SALES_TABLE"));
    let checked = sales::contract::check(&store, "sales::store::Store").await;
    println!("Sales contract, DynamoDB Local: {checked} rules checked");
}
