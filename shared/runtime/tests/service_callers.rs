//! Internal routes admit only the services their declaration names.
use edge::ApiError;
use lambda_http::http::Method;
use lambda_http::Request;
use runtime::state::State;
use testkit::{keys, service_token, Call};

fn as_service(caller: &str) -> Request {
    Call::new(Method::POST)
        .service(&service_token(caller))
        .build()
}

#[test]
fn internal_routes_admit_only_their_declared_callers() {
    // Sales charges wallets; Reviews asks whether a customer bought a product.
    let charge = State::<(), ()>::assemble("charge_wallet", (), (), keys());
    let purchases = State::<(), ()>::assemble("has_purchased", (), (), keys());
    assert!(charge.require_service(&as_service("sales")).is_ok());
    assert!(purchases.require_service(&as_service("reviews")).is_ok());
    for (state, stranger) in [(&charge, "reviews"), (&purchases, "sales"), (&charge, "x")] {
        assert!(matches!(
            state.require_service(&as_service(stranger)),
            Err(ApiError::Forbidden(_))
        ));
    }
    // A public route admits no service.
    let products = State::<(), ()>::assemble("list_products", (), (), keys());
    assert!(products.require_service(&as_service("sales")).is_err());
    let garbage = Call::new(Method::POST).bearer("garbage").build();
    assert!(matches!(
        charge.require_service(&garbage),
        Err(ApiError::Unauthorized(_))
    ));
}
