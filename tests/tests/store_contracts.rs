//! Each service's store contract (`<service>::contract`), on the DynamoDB store against
//! the local stack's DynamoDB Local (`DYNAMODB_ENDPOINT`, the tables from template.yaml
//! under the names local/env.sh exports). The same suites run on the in-memory doubles
//! in the services' unit tests: a rule that holds on one and not the other is a drift.
//! Every id is fresh per run, so the suites share the tables with the other tests.
#![cfg(feature = "stack")]

fn table(variable: &str) -> String {
    std::env::var(variable).unwrap_or_else(|_| panic!("{variable} (source local/env.sh)"))
}

/// The client the functions build: `DYNAMODB_ENDPOINT`, `AWS_REGION` and the local
/// credentials from local/env.sh.
/// One runtime for every test of this binary: the SDK's HTTP client is built once per
/// process (`infra::aws`), and its connections' tasks must outlive each test (`cargo
/// test` runs them in one process; nextest gives each its own).
fn block_on<F: std::future::Future>(test: F) -> F::Output {
    static RUNTIME: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    RUNTIME
        .get_or_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .expect("a runtime")
        })
        .block_on(test)
}

macro_rules! client {
    () => {
        storage::db::client().expect("the DynamoDB client (source local/env.sh)")
    };
}

#[test]
fn the_sales_table_keeps_the_sales_contract() {
    block_on(async {
        let store = sales::store::Store::new(client!(), table("SALES_TABLE"));
        let checked = sales::contract::check(&store, "sales::store::Store").await;
        println!("Sales contract, DynamoDB Local: {checked} rules checked");
    });
}

#[test]
fn the_products_tables_keep_the_inventory_contract() {
    block_on(async {
        let store = inventory::store::Store::new(
            client!(),
            table("PRODUCTS_TABLE"),
            table("RESERVATIONS_TABLE"),
        );
        let checked = inventory::contract::check(&store, "inventory::store::Store").await;
        println!("Inventory contract, DynamoDB Local: {checked} rules checked");
    });
}

#[test]
fn the_customers_table_keeps_the_customers_contract() {
    block_on(async {
        let store = customers::store::Store::new(client!(), table("CUSTOMERS_TABLE"));
        let checked = customers::contract::check(&store, "customers::store::Store").await;
        println!("Customers contract, DynamoDB Local: {checked} rules checked");
    });
}

#[test]
fn the_reviews_table_keeps_the_reviews_contract() {
    block_on(async {
        let store = reviews::store::Store::new(client!(), table("REVIEWS_TABLE"));
        let checked = reviews::contract::check(&store, "reviews::store::Store").await;
        println!("Reviews contract, DynamoDB Local: {checked} rules checked");
    });
}
