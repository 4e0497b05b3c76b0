//! The one declaration of every function of the platform: what triggers it, who may
//! call it, the secrets it needs, the tables and actions it may use, its size.
//!
//! Everything else that lists functions is generated from this table or checked against
//! it: the function resources of `template.yaml` (with their least-privilege policies),
//! the local router in `Cargo.toml` and the `events/` samples (`cargo run -p codegen`;
//! a test fails when one is stale), and the OpenAPI and route tests. Adding an endpoint
//! is one entry here, one handler, one three-line binary, its OpenAPI entry and its tests.

/// A service: the owner of tables and of the functions that use them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Service {
    Customers,
    Inventory,
    Sales,
    Reviews,
    /// The platform-wide health routes, which look at every service's tables.
    Platform,
    /// The web pages (storefront, admin console, API reference), which only use the API.
    Web,
}

impl Service {
    pub const fn name(self) -> &'static str {
        match self {
            Service::Customers => "customers",
            Service::Inventory => "inventory",
            Service::Sales => "sales",
            Service::Reviews => "reviews",
            Service::Platform => "platform",
            Service::Web => "web",
        }
    }

    /// The package (under `functions/`) that holds its functions.
    pub const fn package(self) -> &'static str {
        match self {
            Service::Platform => "health",
            other => other.name(),
        }
    }

    /// The variable holding the base URL of this service's internal routes.
    pub const fn url_variable(self) -> &'static str {
        match self {
            Service::Customers => "CUSTOMERS_URL",
            Service::Inventory => "INVENTORY_URL",
            Service::Sales => "SALES_URL",
            Service::Reviews => "REVIEWS_URL",
            Service::Platform => "PLATFORM_URL",
            Service::Web => "WEB_URL",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Method {
    Get,
    Post,
    Patch,
    Delete,
    /// Never declared: every GET route of the public API takes it too ([`Endpoint::routes`]).
    Head,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Head => "HEAD",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    Http(Method, &'static str),
    /// An EventBridge schedule expression.
    Schedule(&'static str),
    /// The HTTP API's `$default` route: every request that no route takes.
    Unrouted,
    /// The changes of a table, from its DynamoDB stream.
    Stream(Table),
}

/// Where a call to an internal route carries its service token: `Authorization` holds
/// the call's SigV4 signature.
pub const SERVICE_TOKEN_HEADER: &str = "x-service-token";

/// Who may call a function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Anyone; a bearer token, when sent, is still checked.
    Public,
    /// A signed-in customer (for their own resources) or an admin.
    Customer,
    /// Admins only.
    Admin,
    /// Internal: service tokens of exactly these callers.
    Services(&'static [Service]),
    /// The scheduler; no HTTP route.
    Scheduler,
    /// The stream of its table (Lambda's event source mapping); no HTTP route.
    Stream,
}

/// A secret a function needs, given to it at cold start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Secret {
    /// Signs and verifies customer and admin tokens.
    UserTokens,
    /// Signs and verifies tokens between services.
    ServiceTokens,
    /// Makes pagination cursors tamper-evident.
    Cursors,
}

impl Secret {
    /// The environment variable that holds the value (locally, and in tests).
    pub const fn variable(self) -> &'static str {
        match self {
            Secret::UserTokens => "JWT_SECRET",
            Secret::ServiceTokens => "SERVICE_TOKEN_SECRET",
            Secret::Cursors => "CURSOR_SECRET",
        }
    }

    /// The environment variable that holds the ARN of its Secrets Manager secret (in AWS).
    pub const fn arn_variable(self) -> &'static str {
        match self {
            Secret::UserTokens => "JWT_SECRET_ARN",
            Secret::ServiceTokens => "SERVICE_TOKEN_SECRET_ARN",
            Secret::Cursors => "CURSOR_SECRET_ARN",
        }
    }

    /// The template's Secrets Manager secret that holds it.
    pub const fn resource(self) -> &'static str {
        match self {
            Secret::UserTokens => "JwtSecret",
            Secret::ServiceTokens => "ServiceTokenSecret",
            Secret::Cursors => "CursorSecret",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Table {
    Customers,
    Products,
    Reservations,
    Sales,
    Reviews,
    Reco,
}

impl Table {
    pub const ALL: [Table; 6] = [
        Table::Customers,
        Table::Products,
        Table::Reservations,
        Table::Sales,
        Table::Reviews,
        Table::Reco,
    ];

    /// The table's logical id in `template.yaml`.
    pub const fn resource(self) -> &'static str {
        match self {
            Table::Customers => "CustomersTable",
            Table::Products => "ProductsTable",
            Table::Reservations => "ReservationsTable",
            Table::Sales => "SalesTable",
            Table::Reviews => "ReviewsTable",
            Table::Reco => "RecoTable",
        }
    }

    /// The variable holding the table's name.
    pub const fn variable(self) -> &'static str {
        match self {
            Table::Customers => "CUSTOMERS_TABLE",
            Table::Products => "PRODUCTS_TABLE",
            Table::Reservations => "RESERVATIONS_TABLE",
            Table::Sales => "SALES_TABLE",
            Table::Reviews => "REVIEWS_TABLE",
            Table::Reco => "RECO_TABLE",
        }
    }

    /// Its name in health reports.
    pub const fn label(self) -> &'static str {
        match self {
            Table::Customers => "customers",
            Table::Products => "products",
            Table::Reservations => "stock_reservations",
            Table::Sales => "sales",
            Table::Reviews => "reviews",
            Table::Reco => "recommendations",
        }
    }

    pub const fn owner(self) -> Service {
        match self {
            Table::Customers => Service::Customers,
            Table::Products | Table::Reservations => Service::Inventory,
            Table::Sales => Service::Sales,
            Table::Reviews | Table::Reco => Service::Reviews,
        }
    }
}

/// DynamoDB actions a function may take on a table, or on some of its indexes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grant {
    pub table: Table,
    /// Empty: the table itself; otherwise only these indexes.
    pub indexes: &'static [&'static str],
    pub actions: &'static [&'static str],
}

const fn on(table: Table, actions: &'static [&'static str]) -> Grant {
    Grant {
        table,
        indexes: &[],
        actions,
    }
}

const fn query(table: Table, indexes: &'static [&'static str]) -> Grant {
    Grant {
        table,
        indexes,
        actions: &["Query"],
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Endpoint {
    /// The binary, the function and its sample event.
    pub name: &'static str,
    pub service: Service,
    pub trigger: Trigger,
    /// What the function runs: a path in its service's package, with the types it runs on
    /// in AWS (its store, the clients of the services it asks). Its binary is generated
    /// from it (`src/bin/<name>.rs`).
    pub handler: &'static str,
    pub access: Access,
    pub summary: &'static str,
    pub secrets: &'static [Secret],
    pub grants: &'static [Grant],
    /// The services whose internal routes it calls.
    pub calls: &'static [Service],
    /// Settings given to it besides tables and secrets (name, value).
    pub settings: &'static [(&'static str, &'static str)],
    pub memory_mb: u32,
    pub timeout_seconds: u32,
}

impl Endpoint {
    /// The tables it uses, each once, in the order of `Table::ALL`.
    pub fn tables(&self) -> Vec<Table> {
        Table::ALL
            .into_iter()
            .filter(|t| self.grants.iter().any(|g| g.table == *t))
            .collect()
    }

    pub fn route(&self) -> Option<(Method, &'static str)> {
        match self.trigger {
            Trigger::Http(method, path) => Some((method, path)),
            Trigger::Schedule(_) | Trigger::Unrouted | Trigger::Stream(_) => None,
        }
    }

    /// Every method and path an HTTP API routes to it: its route, and HEAD as well for a
    /// GET route of the public API (RFC 9110 section 9.3.2: HEAD wherever GET). The function
    /// answers a HEAD as the GET it would be (no handler looks at the method); the HTTP
    /// API, as any HTTP server, sends its status and headers without the body.
    pub fn routes(&self) -> Vec<(Method, &'static str)> {
        match self.route() {
            Some((Method::Get, path)) if !path.starts_with("/internal/") => {
                vec![(Method::Get, path), (Method::Head, path)]
            }
            Some(route) => vec![route],
            None => Vec::new(),
        }
    }
}

/// Whether a request path fits a route's path (`{name}` takes one non-empty segment).
pub fn path_fits(route: &str, path: &str) -> bool {
    let (mut route, mut path) = (route.split('/'), path.split('/'));
    loop {
        match (route.next(), path.next()) {
            (None, None) => return true,
            (Some(want), Some(got)) if want.starts_with('{') => {
                if got.is_empty() {
                    return false;
                }
            }
            (Some(want), Some(got)) if want == got => {}
            _ => return false,
        }
    }
}

/// The declaration of the function called `name`.
pub fn named(name: &str) -> Option<&'static Endpoint> {
    ENDPOINTS.iter().find(|e| e.name == name)
}

/// An endpoint with the defaults (public, nothing granted, 128 MB, 10 s), for an entry to
/// change what it needs.
pub const fn endpoint(name: &'static str, service: Service, trigger: Trigger) -> Endpoint {
    Endpoint {
        name,
        service,
        trigger,
        handler: "",
        access: Access::Public,
        summary: "",
        secrets: &[],
        grants: &[],
        calls: &[],
        settings: &[],
        memory_mb: 128,
        timeout_seconds: 10,
    }
}

use Method::{Delete, Get, Patch, Post};
use Secret::{Cursors, ServiceTokens, UserTokens};
use Trigger::{Http, Schedule};

const fn http(
    name: &'static str,
    service: Service,
    method: Method,
    path: &'static str,
) -> Endpoint {
    endpoint(name, service, Http(method, path))
}

/// `GET /<service>/health/status`: the function answers; it touches nothing.
const fn liveness(name: &'static str, service: Service, path: &'static str) -> Endpoint {
    Endpoint {
        summary: "Liveness of the service",
        handler: "runtime::health::status",
        ..http(name, service, Get, path)
    }
}

/// `GET /<service>/health/database`: describes the service's tables, reads no item.
const fn readiness(
    name: &'static str,
    service: Service,
    path: &'static str,
    grants: &'static [Grant],
) -> Endpoint {
    Endpoint {
        summary: "Readiness: the service's tables are reachable and active",
        handler: "runtime::health::database",
        grants,
        ..http(name, service, Get, path)
    }
}

const DESCRIBE: &[&str] = &["DescribeTable"];

pub const ENDPOINTS: &[Endpoint] = &[
    // Customers
    Endpoint {
        handler: "customers::handlers::register::<customers::store::Store>",
        summary: "Registers a customer",
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["PutItem"])],
        ..http("register", Service::Customers, Post, "/register")
    },
    Endpoint {
        handler: "customers::handlers::login::<customers::store::Store>",
        summary: "Exchanges email and password for an access and a refresh token",
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "PutItem", "UpdateItem", "DeleteItem"])],
        ..http("login", Service::Customers, Post, "/login")
    },
    Endpoint {
        handler: "customers::handlers::token_refresh::<customers::store::Store>",
        summary: "Spends a refresh token for new tokens (a reused one ends its login)",
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "PutItem", "UpdateItem"])],
        ..http("token_refresh", Service::Customers, Post, "/token/refresh")
    },
    Endpoint {
        handler: "customers::handlers::logout::<customers::store::Store>",
        summary: "Ends the login a refresh token belongs to",
        access: Access::Customer,
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "UpdateItem"])],
        ..http("logout", Service::Customers, Post, "/logout")
    },
    Endpoint {
        handler: "customers::handlers::get_profile::<customers::store::Store>",
        summary: "A customer's profile and wallet balance",
        access: Access::Customer,
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "BatchGetItem"])],
        ..http("get_profile", Service::Customers, Get, "/profile/{id}")
    },
    Endpoint {
        handler: "customers::handlers::update_profile::<customers::store::Store>",
        summary: "Changes a customer's name, address or password",
        access: Access::Customer,
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "BatchGetItem", "UpdateItem"])],
        ..http("update_profile", Service::Customers, Patch, "/profile/{id}")
    },
    Endpoint {
        handler: "customers::handlers::delete_profile::<customers::store::Store>",
        summary: "Deletes a customer's account",
        access: Access::Customer,
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "BatchGetItem", "UpdateItem", "DeleteItem"])],
        ..http("delete_profile", Service::Customers, Delete, "/profile/{id}")
    },
    Endpoint {
        handler: "customers::handlers::deposit::<customers::store::Store>",
        summary: "Adds money to a customer's wallet, once per Idempotency-Key",
        access: Access::Customer,
        secrets: &[UserTokens],
        grants: &[on(Table::Customers, &["GetItem", "BatchGetItem", "PutItem", "UpdateItem"])],
        ..http("deposit", Service::Customers, Post, "/profile/{id}/wallet/deposit")
    },
    Endpoint {
        handler: "customers::handlers::charge_wallet::<customers::store::Store>",
        summary: "Charges a wallet for a sale, once per sale",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Customers, &["GetItem", "PutItem", "UpdateItem"])],
        ..http("charge_wallet", Service::Customers, Post, "/internal/customers/{id}/wallet/charges")
    },
    Endpoint {
        handler: "customers::handlers::refund_charge::<customers::store::Store>",
        summary: "Refunds a sale's charge, once",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Customers, &["GetItem", "PutItem", "UpdateItem"])],
        ..http(
            "refund_charge",
            Service::Customers,
            Post,
            "/internal/customers/{id}/wallet/charges/{sale_id}/refund",
        )
    },
    Endpoint {
        handler: "customers::handlers::credit_wallet::<customers::store::Store>",
        summary: "Gives part of a sale's charge back for a refund, once per refund",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Customers, &["GetItem", "PutItem", "UpdateItem"])],
        ..http("credit_wallet", Service::Customers, Post, "/internal/customers/{id}/wallet/credits")
    },
    Endpoint {
        handler: "customers::handlers::customer_status::<customers::store::Store>",
        summary: "Whether a customer exists and is active, their tokens' generation and role, and whether a login of theirs is live",
        access: Access::Services(&[Service::Reviews, Service::Inventory, Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Customers, &["GetItem", "BatchGetItem"])],
        ..http("customer_status", Service::Customers, Get, "/internal/customers/{id}")
    },
    liveness("customers_health_status", Service::Customers, "/customers/health/status"),
    readiness(
        "customers_health_database",
        Service::Customers,
        "/customers/health/database",
        &[on(Table::Customers, DESCRIBE)],
    ),
    // Inventory
    Endpoint {
        handler: "inventory::handlers::list_products::<inventory::store::Store>",
        summary: "Lists products, by category, a page at a time",
        secrets: &[Cursors],
        grants: &[
            on(Table::Products, &["Scan", "Query"]),
            query(Table::Products, &["by_category"]),
        ],
        ..http("list_products", Service::Inventory, Get, "/products")
    },
    Endpoint {
        handler: "inventory::handlers::create_product::<inventory::store::Store, edge::contracts::customers::Client>",
        summary: "Creates a product",
        access: Access::Admin,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Products, &["PutItem"])],
        ..http("create_product", Service::Inventory, Post, "/products")
    },
    Endpoint {
        handler: "inventory::handlers::get_product::<inventory::store::Store>",
        summary: "A product",
        grants: &[on(Table::Products, &["GetItem"])],
        ..http("get_product", Service::Inventory, Get, "/products/{id}")
    },
    Endpoint {
        handler: "inventory::handlers::update_product::<inventory::store::Store, edge::contracts::customers::Client>",
        summary: "Changes a product or its stock (If-Match)",
        access: Access::Admin,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Products, &["GetItem", "UpdateItem"])],
        ..http("update_product", Service::Inventory, Post, "/products/{id}/update")
    },
    Endpoint {
        handler: "inventory::handlers::delete_product::<inventory::store::Store, edge::contracts::customers::Client>",
        summary: "Deletes a product (a tombstone: sales keep their record)",
        access: Access::Admin,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Products, &["GetItem", "UpdateItem"])],
        ..http("delete_product", Service::Inventory, Delete, "/products/{id}")
    },
    Endpoint {
        handler: "inventory::handlers::reserve_stock::<inventory::store::Store>",
        summary: "Reserves the stock of every line of a sale, all or none, once per sale",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[
            on(Table::Products, &["BatchGetItem", "UpdateItem"]),
            on(Table::Reservations, &["GetItem", "PutItem"]),
        ],
        ..http("reserve_stock", Service::Inventory, Post, "/internal/inventory/reservations")
    },
    Endpoint {
        handler: "inventory::handlers::restock::<inventory::store::Store>",
        summary: "Puts a refund's units back in stock, once per refund",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[
            on(Table::Products, &["UpdateItem"]),
            on(Table::Reservations, &["GetItem", "PutItem"]),
        ],
        ..http("restock", Service::Inventory, Post, "/internal/inventory/restocks")
    },
    Endpoint {
        handler: "inventory::handlers::release_stock::<inventory::store::Store>",
        summary: "Releases a sale's reservation, once",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[
            on(Table::Products, &["UpdateItem"]),
            on(Table::Reservations, &["GetItem", "PutItem", "UpdateItem"]),
        ],
        ..http(
            "release_stock",
            Service::Inventory,
            Post,
            "/internal/inventory/reservations/{sale_id}/release",
        )
    },
    Endpoint {
        handler: "inventory::handlers::product_availability::<inventory::store::Store>",
        summary: "Which of some products exist and are not deleted",
        access: Access::Services(&[Service::Reviews]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Products, &["BatchGetItem"])],
        ..http("product_availability", Service::Inventory, Post, "/internal/inventory/availability")
    },
    liveness("inventory_health_status", Service::Inventory, "/inventory/health/status"),
    readiness(
        "inventory_health_database",
        Service::Inventory,
        "/inventory/health/database",
        &[on(Table::Products, DESCRIBE), on(Table::Reservations, DESCRIBE)],
    ),
    // Sales
    Endpoint {
        handler: "sales::handlers::create_sale",
        summary: "Buys one or several products in one order: the purchase saga, once per Idempotency-Key",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        grants: &[on(Table::Sales, &["GetItem", "PutItem", "UpdateItem"])],
        calls: &[Service::Inventory, Service::Customers, Service::Reviews],
        settings: &[("SALE_DEADLINE_SECONDS", "60")],
        ..http("create_sale", Service::Sales, Post, "/sales")
    },
    Endpoint {
        handler: "sales::handlers::get_sale::<sales::store::Store, edge::contracts::customers::Client>",
        summary: "A sale",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Sales, &["GetItem"])],
        ..http("get_sale", Service::Sales, Get, "/sales/{id}")
    },
    Endpoint {
        handler: "sales::handlers::sales_history::<sales::store::Store, edge::contracts::customers::Client>",
        summary: "A customer's completed sales, newest first, a page at a time",
        access: Access::Customer,
        secrets: &[UserTokens, Cursors],
        calls: &[Service::Customers],
        grants: &[query(Table::Sales, &["history"])],
        ..http("sales_history", Service::Sales, Get, "/sales/history/{customer_id}")
    },
    Endpoint {
        handler: "sales::handlers::refund_sale",
        summary: "Refunds units of a sale's lines (money back, stock back if asked), once per Idempotency-Key",
        access: Access::Admin,
        secrets: &[UserTokens, ServiceTokens],
        grants: &[on(Table::Sales, &["GetItem", "PutItem", "UpdateItem"])],
        calls: &[Service::Customers, Service::Inventory, Service::Reviews],
        settings: &[("SALE_DEADLINE_SECONDS", "60")],
        ..http("refund_sale", Service::Sales, Post, "/sales/{id}/refunds")
    },
    Endpoint {
        handler: "sales::handlers::has_purchased::<sales::store::Store>",
        summary: "Whether a customer bought a product",
        access: Access::Services(&[Service::Reviews]),
        secrets: &[ServiceTokens],
        grants: &[query(Table::Sales, &["history"])],
        ..http("has_purchased", Service::Sales, Get, "/internal/sales/purchases")
    },
    liveness("sales_health_status", Service::Sales, "/sales/health/status"),
    readiness(
        "sales_health_database",
        Service::Sales,
        "/sales/health/database",
        &[on(Table::Sales, DESCRIBE)],
    ),
    Endpoint {
        handler: "sales::reconcile::scheduled",
        summary: "Rolls back sales left pending past their deadline, finishes interrupted refunds; re-reports purchases to the recommender",
        access: Access::Scheduler,
        secrets: &[ServiceTokens],
        grants: &[
            query(Table::Sales, &["pending_by_deadline", "undelivered"]),
            on(Table::Sales, &["GetItem", "UpdateItem"]),
        ],
        calls: &[Service::Inventory, Service::Customers, Service::Reviews],
        memory_mb: 512,
        timeout_seconds: 300,
        ..endpoint("reconcile_sales", Service::Sales, Schedule("rate(1 minute)"))
    },
    // Reviews
    Endpoint {
        handler: "reviews::handlers::create_review::<reviews::store::Store, reviews::ReviewChecks>",
        summary: "Writes a review (pending until moderated)",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        grants: &[on(Table::Reviews, &["PutItem"])],
        calls: &[Service::Customers, Service::Inventory, Service::Sales],
        ..http("create_review", Service::Reviews, Post, "/reviews")
    },
    Endpoint {
        handler: "reviews::handlers::list_reviews::<reviews::store::Store, edge::contracts::customers::Client>",
        summary: "Reviews of a product, of a customer, or by status, a page at a time",
        secrets: &[UserTokens, ServiceTokens, Cursors],
        calls: &[Service::Customers],
        grants: &[query(Table::Reviews, &["approved_by_product", "by_customer", "by_status"])],
        ..http("list_reviews", Service::Reviews, Get, "/reviews")
    },
    Endpoint {
        handler: "reviews::handlers::get_review::<reviews::store::Store, edge::contracts::customers::Client>",
        summary: "A review (approved ones to anyone; others to their author and admins)",
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Reviews, &["GetItem"])],
        ..http("get_review", Service::Reviews, Get, "/reviews/{id}")
    },
    Endpoint {
        handler: "reviews::handlers::update_review::<reviews::store::Store, reviews::reco_store::RecoStore, edge::contracts::customers::Client>",
        summary: "Edits one's review (back to pending)",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Reviews, &["GetItem", "UpdateItem"]), on(Table::Reco, &["PutItem"])],
        ..http("update_review", Service::Reviews, Patch, "/reviews/{id}")
    },
    Endpoint {
        handler: "reviews::handlers::delete_review::<reviews::store::Store, reviews::reco_store::RecoStore, edge::contracts::customers::Client>",
        summary: "Deletes one's review (or any, for an admin)",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[on(Table::Reviews, &["GetItem", "DeleteItem"]), on(Table::Reco, &["PutItem"])],
        ..http("delete_review", Service::Reviews, Delete, "/reviews/{id}")
    },
    Endpoint {
        handler: "reviews::handlers::moderate_review::<reviews::store::Store, reviews::reco_store::RecoStore, edge::contracts::customers::Client>",
        summary: "Approves or rejects a review (If-Match)",
        access: Access::Admin,
        secrets: &[UserTokens, ServiceTokens],
        calls: &[Service::Customers],
        grants: &[
            on(Table::Reviews, &["GetItem", "UpdateItem"]),
            on(Table::Reco, &["PutItem"]),
        ],
        ..http("moderate_review", Service::Reviews, Post, "/reviews/{id}/moderate")
    },
    Endpoint {
        handler: "reviews::recommendations::get_recommendations::<reviews::reco_store::RecoStore, reviews::RecommendationChecks>",
        summary: "Products recommended to a customer",
        access: Access::Customer,
        secrets: &[UserTokens, ServiceTokens],
        grants: &[on(Table::Reco, &["GetItem", "Query", "BatchGetItem"])],
        calls: &[Service::Customers, Service::Inventory],
        ..http("get_recommendations", Service::Reviews, Get, "/recommendations/{customer_id}")
    },
    Endpoint {
        handler: "reviews::recommendations::similar_products::<reviews::reco_store::RecoStore, reviews::Catalog>",
        summary: "Products bought together with a product (customers also bought)",
        secrets: &[ServiceTokens],
        grants: &[on(Table::Reco, &["GetItem", "BatchGetItem"])],
        calls: &[Service::Inventory],
        ..http("similar_products", Service::Reviews, Get, "/products/{id}/similar")
    },
    Endpoint {
        handler: "reviews::recommendations::record_interaction::<reviews::reco_store::RecoStore>",
        summary: "Records purchases for the recommender, once per event id",
        access: Access::Services(&[Service::Sales]),
        secrets: &[ServiceTokens],
        grants: &[on(Table::Reco, &["PutItem", "BatchWriteItem"])],
        ..http("record_interaction", Service::Reviews, Post, "/internal/reviews/interactions")
    },
    liveness("reviews_health_status", Service::Reviews, "/reviews/health/status"),
    readiness(
        "reviews_health_database",
        Service::Reviews,
        "/reviews/health/database",
        &[on(Table::Reviews, DESCRIBE), on(Table::Reco, DESCRIBE)],
    ),
    Endpoint {
        handler: "reviews::refresh::scheduled",
        summary: "Refits the recommendation model from all interactions",
        access: Access::Scheduler,
        grants: &[on(
            Table::Reco,
            &["Scan", "Query", "GetItem", "PutItem", "DeleteItem", "BatchWriteItem"],
        )],
        memory_mb: 512,
        timeout_seconds: 300,
        ..endpoint("refresh_recommendations", Service::Reviews, Schedule("rate(1 hour)"))
    },
    // Domain events, one function per table whose changes they are
    Endpoint {
        handler: "sales::events::derive",
        summary: "Publishes SaleCompleted and SaleRefunded on the event bus, from the sales table's stream",
        access: Access::Stream,
        ..endpoint("sales_events", Service::Sales, Trigger::Stream(Table::Sales))
    },
    Endpoint {
        handler: "inventory::events::derive",
        summary: "Publishes StockLow on the event bus, from the products table's stream",
        access: Access::Stream,
        settings: &[("LOW_STOCK_THRESHOLD", "5")],
        ..endpoint("inventory_events", Service::Inventory, Trigger::Stream(Table::Products))
    },
    Endpoint {
        handler: "reviews::events::derive",
        summary: "Publishes ReviewApproved on the event bus, from the reviews table's stream",
        access: Access::Stream,
        ..endpoint("reviews_events", Service::Reviews, Trigger::Stream(Table::Reviews))
    },
    // The platform
    Endpoint {
        handler: "health::openapi_document",
        summary: "The OpenAPI document of this API",
        ..http("openapi_document", Service::Platform, Get, "/openapi.yaml")
    },
    Endpoint {
        handler: "health::unrouted",
        summary: "Answers requests no route takes: 404, or 405 with the path's methods",
        ..endpoint("unrouted", Service::Platform, Trigger::Unrouted)
    },
    // The web pages
    Endpoint {
        handler: "web::storefront",
        summary: "The storefront",
        ..http("storefront", Service::Web, Get, "/")
    },
    Endpoint {
        handler: "web::admin_console",
        summary: "The admin console",
        ..http("admin_console", Service::Web, Get, "/admin")
    },
    Endpoint {
        handler: "web::api_docs",
        summary: "The browsable API reference",
        ..http("api_docs", Service::Web, Get, "/docs")
    },
    Endpoint {
        handler: "web::web_asset",
        summary: "A script, style sheet or image of the web pages",
        ..http("web_asset", Service::Web, Get, "/assets/{file}")
    },
    liveness("health_status", Service::Platform, "/health/status"),
    readiness(
        "health_database",
        Service::Platform,
        "/health/database",
        &[
            on(Table::Customers, DESCRIBE),
            on(Table::Products, DESCRIBE),
            on(Table::Reservations, DESCRIBE),
            on(Table::Sales, DESCRIBE),
            on(Table::Reviews, DESCRIBE),
            on(Table::Reco, DESCRIBE),
        ],
    ),
];
