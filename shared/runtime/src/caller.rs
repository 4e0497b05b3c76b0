//! Who the request being served was authenticated as, for its log line: recorded where
//! the caller is verified ([`crate::state`]), read when the request is logged
//! ([`crate::serve`]). Ids and roles only.

use edge::auth::{Principal, Role};
use std::cell::RefCell;
use std::future::Future;

tokio::task_local! {
    static CALLER: RefCell<Option<String>>;
}

/// Runs a request's work with room for its caller.
pub(crate) async fn scope<F: Future>(work: F) -> F::Output {
    CALLER.scope(RefCell::new(None), work).await
}

/// The caller recorded by the work of [`scope`], if any (`role:subject`).
pub(crate) fn take() -> Option<String> {
    CALLER.with(|caller| caller.borrow_mut().take())
}

/// Records the verified caller of the request being served.
pub fn note(principal: &Principal) {
    let role = match principal.role {
        Role::Customer => "customer",
        Role::Admin => "admin",
        Role::Service => "service",
    };
    let _ = CALLER.try_with(|caller| {
        *caller.borrow_mut() = Some(format!("{role}:{}", principal.subject));
    });
}
