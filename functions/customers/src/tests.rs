//! The Customers handlers in-process, on the store double of `crate::memory`: accounts,
//! profiles and their access rules, the login window, deposits under one idempotency
//! key, and the ledger of charges and refunds. Money is conserved throughout: every
//! wallet plus every charge still held equals what was deposited.

use crate::handlers;
use crate::memory::MemoryCustomers;
use crate::store::{Changes, Customers};
use crate::State;
use edge::auth::Role;
use futures::future::join_all;
use lambda_http::http::Method;
use serde_json::{json, Value};
use testkit::{keys, service_token, Call, Reply};

const PASSWORD: &str = "correct-horse-battery";

/// The service's functions over one shared table double.
#[derive(Default)]
struct Service {
    store: MemoryCustomers,
}

/// Runs one declared handler on the shared table, as its function would.
macro_rules! call {
    ($service:expr, $handler:ident, $request:expr) => {
        Reply::of(handlers::$handler(&$service.state(stringify!($handler)), $request.build()).await)
    };
}

impl Service {
    fn state(&self, name: &str) -> State<MemoryCustomers> {
        State::assemble(name, self.store.clone(), (), keys())
    }

    /// Registers and logs in a customer: (id, token).
    async fn customer(&self, email: &str) -> (String, String) {
        let body = json!({"email": email, "password": PASSWORD, "full_name": "Dana"});
        let id = call!(self, register, Call::new(Method::POST).json(body)).expect(201)["id"]
            .as_str()
            .unwrap()
            .to_string();
        (
            id,
            self.login(email, PASSWORD).await.expect(200)["access_token"]
                .as_str()
                .unwrap()
                .into(),
        )
    }

    /// An admin account, signed in: (id, token).
    async fn admin(&self, email: &str) -> (String, String) {
        let (id, _) = self.customer(email).await;
        let promotion = Changes {
            role: Some(Role::Admin),
            ..Changes::default()
        };
        self.store
            .update(&id, promotion, "2026-12-02T00:00:00Z")
            .await
            .unwrap();
        let login = self.login(email, PASSWORD).await;
        (
            id,
            login.expect(200)["access_token"].as_str().unwrap().into(),
        )
    }

    async fn login(&self, email: &str, password: &str) -> Reply {
        self.login_from(email, password, "127.0.0.1").await
    }

    async fn login_from(&self, email: &str, password: &str, address: &str) -> Reply {
        let body = json!({"email": email, "password": password});
        call!(
            self,
            login,
            Call::new(Method::POST).from_address(address).json(body)
        )
    }

    async fn deposit(&self, id: &str, token: &str, cents: i64, key: Option<&str>) -> Reply {
        let mut request = Call::new(Method::POST)
            .path("id", id)
            .bearer(token)
            .json(json!({"amount_cents": cents}));
        if let Some(key) = key {
            request = request.header("idempotency-key", key);
        }
        call!(self, deposit, request)
    }

    async fn profile(&self, id: &str, token: &str) -> Reply {
        call!(
            self,
            get_profile,
            Call::new(Method::GET).path("id", id).bearer(token)
        )
    }

    async fn balance(&self, id: &str, token: &str) -> i64 {
        self.profile(id, token).await.expect(200)["wallet_balance_cents"]
            .as_i64()
            .unwrap()
    }

    async fn charge(&self, caller: &str, id: &str, sale: &str, cents: i64) -> Reply {
        let request = Call::new(Method::POST)
            .path("id", id)
            .service(&service_token(caller))
            .json(json!({"sale_id": sale, "amount_cents": cents}));
        call!(self, charge_wallet, request)
    }

    async fn credit(&self, id: &str, credit: &str, sale: &str, cents: i64) -> Reply {
        let request = Call::new(Method::POST)
            .path("id", id)
            .service(&service_token("sales"))
            .json(json!({"credit_id": credit, "sale_id": sale, "amount_cents": cents}));
        call!(self, credit_wallet, request)
    }

    async fn refund(&self, id: &str, sale: &str) -> Reply {
        let request = Call::new(Method::POST)
            .path("id", id)
            .path("sale_id", sale)
            .service(&service_token("sales"));
        call!(self, refund_charge, request)
    }
}

fn sale() -> String {
    edge::ids::new_id()
}

#[tokio::test]
async fn one_account_per_email_whatever_its_case_until_it_is_closed() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let again = json!({"email": "DANA@Example.com", "password": PASSWORD, "full_name": "Dana"});
    call!(
        service,
        register,
        Call::new(Method::POST).json(again.clone())
    )
    .expect(409);
    let closed = call!(
        service,
        delete_profile,
        Call::new(Method::DELETE).path("id", &id).bearer(&token)
    );
    closed.expect(204);
    service.profile(&id, &token).await.expect(404);
    service
        .login("dana@example.com", PASSWORD)
        .await
        .expect(401);
    call!(service, register, Call::new(Method::POST).json(again)).expect(201);
}

/// Names that would read otherwise than they are ("Eve\u{202E}gnp.exe" shows as
/// "Eveexe.png") are refused; emoji sequences are names like any other.
#[tokio::test]
async fn names_with_invisible_or_direction_changing_characters_are_refused() {
    let service = Service::default();
    for (n, name) in ["Eve\u{202E}gnp.exe", "Ad\u{200B}min", "\u{2066}Dana"]
        .iter()
        .enumerate()
    {
        let body =
            json!({"email": format!("s{n}@example.com"), "password": PASSWORD, "full_name": name});
        let refused = call!(service, register, Call::new(Method::POST).json(body));
        assert_eq!(refused.expect(422)["errors"][0]["field"], "full_name");
    }
    let family = json!({"email": "fam@example.com", "password": PASSWORD,
                        "full_name": "Dana 👨\u{200D}👩\u{200D}👧"});
    call!(service, register, Call::new(Method::POST).json(family)).expect(201);
}

/// One mailbox is one account, however its address is spelled (API.md: NFKC, lower case,
/// IDNA ASCII of the domain); the password works from any spelling.
#[tokio::test]
async fn one_mailbox_registers_once_whatever_its_spelling() {
    let service = Service::default();
    for (first, others) in [
        (
            "ann@example.com",
            &[
                "ann@ｅｘａｍｐｌｅ.com",
                "ANN@Example.COM",
                "ａｎｎ@example.com",
            ][..],
        ),
        (
            "b@bücher.de",
            &["b@xn--bcher-kva.de", "b@bu\u{0308}cher.de", "B@BÜCHER.DE"][..],
        ),
    ] {
        let body = |email: &str| json!({"email": email, "password": PASSWORD, "full_name": "Ann"});
        call!(service, register, Call::new(Method::POST).json(body(first))).expect(201);
        for other in others {
            let again = call!(service, register, Call::new(Method::POST).json(body(other)));
            assert_eq!(again.status, 409, "{other}: {}", again.body);
            service.login(other, PASSWORD).await.expect(200);
        }
    }
}

/// Issue 30: a taken mailbox could be registered again without limit (30 x 409, never
/// 429). Taken mailboxes count per client address as failed logins do; then every
/// registration from that address gets 429 with `Retry-After`, taken mailbox or not (so
/// the refusal tells nothing), and registrations that create an account never count.
#[tokio::test]
async fn registering_taken_mailboxes_is_limited_per_client_address() {
    let service = Service::default();
    let register_from = |email: &str, address: &str| {
        let body = json!({"email": email, "password": PASSWORD, "full_name": "Dana"});
        Call::new(Method::POST).from_address(address).json(body)
    };
    for n in 0..2 * crate::guesses::TAKEN_MAILBOXES_PER_ADDRESS {
        let email = format!("new{n}@example.com");
        call!(service, register, register_from(&email, "192.0.2.1")).expect(201);
    }
    for _ in 0..crate::guesses::TAKEN_MAILBOXES_PER_ADDRESS {
        call!(
            service,
            register,
            register_from("new0@example.com", "192.0.2.1")
        )
        .expect(409);
    }
    let refused = call!(
        service,
        register,
        register_from("new0@example.com", "192.0.2.1")
    );
    assert_eq!(refused.expect(429)["type"], "/problems/too-many-requests");
    assert_eq!(refused.header("content-type"), "application/problem+json");
    let retry_after: u64 = refused.header("retry-after").parse().unwrap();
    assert!((1..=crate::guesses::WINDOW_SECONDS).contains(&retry_after));
    call!(
        service,
        register,
        register_from("fresh@example.com", "192.0.2.1")
    )
    .expect(429);
    // Another address is not affected.
    call!(
        service,
        register,
        register_from("new0@example.com", "192.0.2.2")
    )
    .expect(409);
    call!(
        service,
        register,
        register_from("fresh@example.com", "192.0.2.2")
    )
    .expect(201);
}

/// Issue 30: `password`, `12345678`, eight spaces, eight NULs and the email itself were
/// accepted. Each is refused with a 422 naming the field and why; a password change is
/// judged alike, against the account's email and names, before any guess is counted.
#[tokio::test]
async fn weak_and_personal_passwords_are_refused_on_registration_and_change() {
    let service = Service::default();
    let register = |password: &str| {
        let body = json!({"email": "Dana.Scully@example.com", "password": password,
                          "full_name": "Dana Scully", "username": "dscully"});
        Call::new(Method::POST).json(body)
    };
    for (password, why) in [
        ("password", crate::passwords::COMMON_PASSWORD),
        ("12345678", crate::passwords::COMMON_PASSWORD),
        ("        ", crate::passwords::BLANK),
        ("\0\0\0\0\0\0\0\0", crate::passwords::CONTROL),
        ("dana.scully@example.com", crate::passwords::CONTAINS_EMAIL),
        ("Dana.Scully@Example.com!", crate::passwords::CONTAINS_EMAIL),
        ("dscully2024", crate::passwords::PERSONAL),
        ("scully-dana!", crate::passwords::PERSONAL),
    ] {
        let refused = call!(service, register, register(password));
        let problem = refused.expect(422);
        assert_eq!(problem["errors"][0]["field"], "password", "{password:?}");
        assert_eq!(problem["errors"][0]["message"], why, "{password:?}");
    }
    let id = call!(service, register, register("the truth is out there")).expect(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    let token = service
        .login("dana.scully@example.com", "the truth is out there")
        .await
        .expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let change = |password: &str, full_name: Option<&str>| {
        let mut body = json!({"password": password, "current_password": "wrong-password"});
        if let Some(name) = full_name {
            body["full_name"] = json!(name);
        }
        Call::new(Method::PATCH)
            .path("id", &id)
            .bearer(&token)
            .json(body)
    };
    for (password, name) in [
        ("password", None),
        ("dana.scully@example.com", None),
        ("fox mulder 1013", Some("Fox Mulder")),
    ] {
        let refused = call!(service, update_profile, change(password, name));
        assert_eq!(refused.expect(422)["errors"][0]["field"], "password");
    }
    // Refused before the current password was checked: no guess was counted.
    service
        .login("dana.scully@example.com", "the truth is out there")
        .await
        .expect(200);
    for _ in 0..crate::guesses::PER_ACCOUNT_AND_ADDRESS - 1 {
        call!(service, update_profile, change("i want to believe", None)).expect(403);
    }
    call!(service, update_profile, change("i want to believe", None)).expect(403);
}

#[tokio::test]
async fn a_profile_is_its_owners_and_the_admins_only() {
    let service = Service::default();
    let (dana, dana_token) = service.customer("dana@example.com").await;
    let (_, eve_token) = service.customer("eve@example.com").await;
    let (_, admin) = service.admin("root@example.com").await;
    service.profile(&dana, &dana_token).await.expect(200);
    service.profile(&dana, &admin).await.expect(200);
    service.profile(&dana, &eve_token).await.expect(403);
    service.profile("not-an-id", &eve_token).await.expect(403);
    service.profile("not-an-id", &admin).await.expect(404);
    service
        .deposit(&dana, &eve_token, 100, None)
        .await
        .expect(403);
    // A customer cannot make themselves admin; the hash never leaves the service.
    let promote = Call::new(Method::PATCH)
        .path("id", &dana)
        .bearer(&dana_token)
        .json(json!({"role": "admin"}));
    call!(service, update_profile, promote).expect(403);
    let shown = service.profile(&dana, &dana_token).await;
    assert_eq!(shown.body["role"], "customer");
    assert!(shown.body.get("password_hash").is_none(), "{}", shown.body);
}

#[tokio::test]
async fn a_profile_update_sets_clears_and_guards_the_password() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let patch = |body: Value| {
        Call::new(Method::PATCH)
            .path("id", &id)
            .bearer(&token)
            .json(body)
    };
    let set = json!({"address": "1 Main St", "full_name": " Dana K "});
    let set = call!(service, update_profile, patch(set));
    assert_eq!(set.expect(200)["address"], "1 Main St");
    assert_eq!(set.body["full_name"], "Dana K");
    // An optional field sent empty is cleared; a blank one is refused.
    call!(service, update_profile, patch(json!({"address": "   "}))).expect(422);
    let cleared = call!(service, update_profile, patch(json!({"address": ""})));
    assert_eq!(cleared.expect(200)["address"], Value::Null);
    assert_eq!(cleared.body["full_name"], "Dana K");
    call!(service, update_profile, patch(json!({}))).expect(422);
    call!(
        service,
        update_profile,
        patch(json!({"password": "another-password"}))
    )
    .expect(422);
    let wrong = json!({"password": "another-password", "current_password": "wrong-password"});
    call!(service, update_profile, patch(wrong)).expect(403);
    service
        .login("dana@example.com", "another-password")
        .await
        .expect(401);
    let right = json!({"password": "another-password", "current_password": PASSWORD});
    call!(service, update_profile, patch(right)).expect(200);
    service
        .login("dana@example.com", "another-password")
        .await
        .expect(200);
    service
        .login("dana@example.com", PASSWORD)
        .await
        .expect(401);
}

#[tokio::test]
async fn logins_answer_alike_for_unknown_emails_and_stop_after_repeated_failures() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    let unknown = service.login("nobody@example.com", PASSWORD).await;
    let wrong = service.login("dana@example.com", "wrong-password").await;
    assert_eq!((unknown.status, wrong.status), (401, 401));
    assert_eq!(unknown.body["detail"], wrong.body["detail"]);
    for _ in 1..crate::guesses::PER_ACCOUNT_AND_ADDRESS {
        service
            .login("dana@example.com", "wrong-password")
            .await
            .expect(401);
    }
    let throttled = service.login("dana@example.com", PASSWORD).await;
    throttled.expect(429);
}

/// 40 guesses at once: exactly the limit gets its password checked, the rest a 429.
#[tokio::test]
async fn parallel_guesses_never_get_more_than_the_limit_checked() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    let guesses = (0..40).map(|_| service.login("dana@example.com", "wrong-password"));
    let replies = futures::future::join_all(guesses).await;
    let checked = replies.iter().filter(|r| r.status == 401).count();
    let refused = replies.iter().filter(|r| r.status == 429).count();
    assert_eq!(
        (checked, refused),
        (crate::guesses::PER_ACCOUNT_AND_ADDRESS as usize, 35)
    );
}

/// Nobody can lock an account for others: the limit is per account and client address.
#[tokio::test]
async fn guesses_from_one_address_do_not_lock_the_account_for_another() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    for _ in 0..crate::guesses::PER_ACCOUNT_AND_ADDRESS {
        service
            .login_from("dana@example.com", "wrong-password", "127.0.0.2")
            .await
            .expect(401);
    }
    let locked = service
        .login_from("dana@example.com", PASSWORD, "127.0.0.2")
        .await;
    assert_eq!(locked.expect(429)["type"], "/problems/too-many-requests");
    let retry_after: u64 = locked.header("retry-after").parse().unwrap();
    assert!((1..=crate::guesses::WINDOW_SECONDS).contains(&retry_after));
    service
        .login_from("dana@example.com", PASSWORD, "127.0.0.3")
        .await
        .expect(200);
}

/// One address guessing across many accounts meets the per-address limit.
#[tokio::test]
async fn one_address_guessing_many_accounts_is_limited_too() {
    let service = Service::default();
    for n in 0..crate::guesses::PER_ADDRESS {
        let email = format!("user{n}@example.com");
        service
            .login_from(&email, "wrong-password", "127.0.0.9")
            .await
            .expect(401);
    }
    service
        .login_from("another@example.com", "wrong-password", "127.0.0.9")
        .await
        .expect(429);
    service
        .login_from("another@example.com", "wrong-password", "127.0.0.10")
        .await
        .expect(401);
}

/// A wrong `current_password` on a password change is a failed guess like a login's.
#[tokio::test]
async fn wrong_current_passwords_count_as_failed_guesses() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let change = |current: &'static str| {
        let body = json!({"password": "a-new-password", "current_password": current});
        let request = Call::new(Method::PATCH)
            .path("id", &id)
            .bearer(&token)
            .from_address("127.0.0.4")
            .json(body);
        let state = service.state("update_profile");
        async move { Reply::of(handlers::update_profile(&state, request.build()).await) }
    };
    for _ in 0..crate::guesses::PER_ACCOUNT_AND_ADDRESS {
        change("not-my-password").await.expect(403);
    }
    change(PASSWORD).await.expect(429);
    service
        .login_from("dana@example.com", PASSWORD, "127.0.0.4")
        .await
        .expect(429);
    service
        .login("dana@example.com", PASSWORD)
        .await
        .expect(200);
}

/// Only failures count: right passwords between them neither count nor hide them.
#[tokio::test]
async fn only_failed_guesses_count() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    for _ in 1..crate::guesses::PER_ACCOUNT_AND_ADDRESS {
        service
            .login("dana@example.com", "wrong-password")
            .await
            .expect(401);
        service
            .login("dana@example.com", PASSWORD)
            .await
            .expect(200);
    }
    service
        .login("dana@example.com", "wrong-password")
        .await
        .expect(401);
    service
        .login("dana@example.com", PASSWORD)
        .await
        .expect(429);
}

/// One person logging in from several tabs at once: slots that right passwords hold for
/// a moment make the next wait for one, never refuse it.
#[tokio::test]
async fn parallel_logins_with_the_right_password_all_succeed() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    let logins = (0..12).map(|_| service.login("dana@example.com", PASSWORD));
    let statuses: Vec<u16> = join_all(logins).await.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![200; 12]);
}

#[tokio::test]
async fn concurrent_deposits_with_one_key_credit_once() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let replies = join_all((0..8).map(|_| service.deposit(&id, &token, 500, Some("pay-1")))).await;
    for reply in &replies {
        assert_eq!(reply.expect(200)["wallet_balance_cents"], 500);
    }
    assert_eq!(service.balance(&id, &token).await, 500);
    // The same key for another amount is refused; a new key credits again.
    service
        .deposit(&id, &token, 700, Some("pay-1"))
        .await
        .expect(422);
    service
        .deposit(&id, &token, 700, Some("pay-2"))
        .await
        .expect(200);
    service.deposit(&id, &token, 1, None).await.expect(200);
    assert_eq!(service.balance(&id, &token).await, 1_201);
    assert_eq!(service.store.money(), 1_201);
}

#[tokio::test]
async fn a_wallet_never_passes_its_ceiling() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let most = crate::domain::MAX_DEPOSIT_CENTS;
    let deposits = crate::domain::MAX_BALANCE_CENTS / most;
    for n in 0..deposits {
        service
            .deposit(&id, &token, most, Some(&format!("d{n}")))
            .await
            .expect(200);
    }
    service.deposit(&id, &token, 1, None).await.expect(422);
    service
        .deposit(&id, &token, 1, Some("one-more"))
        .await
        .expect(422);
    service
        .deposit(&id, &token, most + 1, None)
        .await
        .expect(422);
    assert_eq!(
        service.balance(&id, &token).await,
        crate::domain::MAX_BALANCE_CENTS
    );
}

#[tokio::test]
async fn a_sale_is_charged_once_and_refunded_once() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    service.deposit(&id, &token, 1_000, None).await.expect(200);
    let first = sale();
    service.charge("sales", &id, &first, 400).await.expect(200);
    service.charge("sales", &id, &first, 400).await.expect(200);
    service.charge("sales", &id, &first, 500).await.expect(409);
    assert_eq!(service.balance(&id, &token).await, 600);
    service.charge("sales", &id, &sale(), 601).await.expect(402);
    for _ in 0..3 {
        assert_eq!(
            service.refund(&id, &first).await.expect(200)["status"],
            "refunded"
        );
    }
    assert_eq!(service.balance(&id, &token).await, 1_000);
    // A refunded sale cannot be charged again.
    service.charge("sales", &id, &first, 400).await.expect(409);
    assert_eq!(service.store.money(), 1_000);
}

#[tokio::test]
async fn credits_give_a_charge_back_in_parts_once_each_and_never_more_than_it() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    service.deposit(&id, &token, 1_000, None).await.expect(200);
    let bought = sale();
    service.charge("sales", &id, &bought, 900).await.expect(200);
    let first = sale();
    for _ in 0..3 {
        let credited = service.credit(&id, &first, &bought, 300).await;
        assert_eq!(credited.expect(200)["amount_cents"], 300);
    }
    assert_eq!(service.balance(&id, &token).await, 400);
    // The same credit id for another amount is another request.
    service.credit(&id, &first, &bought, 200).await.expect(409);
    // Never more than is left of the charge: 600 left, not 601.
    service.credit(&id, &sale(), &bought, 601).await.expect(409);
    // Concurrent credits of 100 each: exactly the 6 that fit.
    let credits: Vec<String> = (0..9).map(|_| sale()).collect();
    let replies = join_all(credits.iter().map(|c| service.credit(&id, c, &bought, 100))).await;
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 6);
    assert_eq!(service.balance(&id, &token).await, 1_000);
    // A sale never charged, or another customer's, has nothing to give back.
    service.credit(&id, &sale(), &sale(), 1).await.expect(404);
    let (eve, _) = service.customer("eve@example.com").await;
    service.credit(&eve, &sale(), &bought, 1).await.expect(404);
    service.credit(&id, &sale(), &bought, 0).await.expect(422);
    assert_eq!(service.store.money(), 1_000);
}

#[tokio::test]
async fn a_free_sale_is_charged_nothing_even_from_an_empty_wallet() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    let free = sale();
    let charged = service.charge("sales", &id, &free, 0).await;
    assert_eq!(charged.expect(200)["amount_cents"], 0);
    service.charge("sales", &id, &sale(), -1).await.expect(422);
    assert_eq!(
        service.refund(&id, &free).await.expect(200)["status"],
        "refunded"
    );
    assert_eq!(service.balance(&id, &token).await, 0);
}

#[tokio::test]
async fn a_refund_that_overtakes_its_charge_leaves_a_tombstone() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    service.deposit(&id, &token, 1_000, None).await.expect(200);
    let late = sale();
    let stone = service.refund(&id, &late).await;
    assert_eq!(stone.expect(200)["amount_cents"], 0);
    service.charge("sales", &id, &late, 400).await.expect(409);
    assert_eq!(service.balance(&id, &token).await, 1_000);
    // Another customer's sale is not this one's to refund.
    let (eve, eve_token) = service.customer("eve@example.com").await;
    service
        .deposit(&eve, &eve_token, 300, None)
        .await
        .expect(200);
    let hers = sale();
    service.charge("sales", &eve, &hers, 300).await.expect(200);
    service.refund(&id, &hers).await.expect(409);
    assert_eq!(service.balance(&eve, &eve_token).await, 0);
    assert_eq!(service.store.money(), 1_300);
}

#[tokio::test]
async fn concurrent_charges_never_take_a_wallet_below_zero() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    service.deposit(&id, &token, 1_000, None).await.expect(200);
    let sales: Vec<String> = (0..12).map(|_| sale()).collect();
    let replies = join_all(sales.iter().map(|s| service.charge("sales", &id, s, 300))).await;
    let charged = replies.iter().filter(|r| r.status == 200).count();
    assert_eq!(charged, 3);
    assert!(replies.iter().all(|r| r.status == 200 || r.status == 402));
    assert_eq!(service.balance(&id, &token).await, 100);
    assert_eq!(service.store.money(), 1_000);
}

#[tokio::test]
async fn wallet_routes_admit_sales_only_and_never_users() {
    let service = Service::default();
    let (id, token) = service.customer("dana@example.com").await;
    service.deposit(&id, &token, 1_000, None).await.expect(200);
    service
        .charge("reviews", &id, &sale(), 100)
        .await
        .expect(403);
    let as_user = Call::new(Method::POST)
        .path("id", &id)
        .bearer(&token)
        .json(json!({"sale_id": sale(), "amount_cents": 100}));
    call!(service, charge_wallet, as_user).expect(401);
    let status = |caller: &str| {
        Call::new(Method::GET)
            .path("id", &id)
            .service(&service_token(caller))
    };
    call!(service, customer_status, status("customers")).expect(403);
    assert_eq!(
        call!(service, customer_status, status("reviews")).expect(200)["status"],
        "active"
    );
    assert_eq!(service.balance(&id, &token).await, 1_000);
}

fn new_admin(email: &str, promote_existing: bool) -> crate::admin::NewAdmin {
    crate::admin::NewAdmin {
        email: edge::domain::Email::parse(email).unwrap(),
        password: "operator-password".into(),
        full_name: "Ops".into(),
        promote_existing,
    }
}

/// The admin command never promotes whoever registered the admin's email first, unless
/// the operator asks for exactly that.
#[tokio::test]
async fn the_admin_command_never_silently_promotes_an_existing_account() {
    use crate::admin::create_admin;
    let service = Service::default();
    let (squatter, token) = service.customer("ops@example.com").await;
    let now = "2026-12-02T00:00:00Z";
    let refused = create_admin(&service.store, new_admin("ops@example.com", false), now).await;
    assert!(refused.unwrap_err().contains("--promote-existing"));
    assert_eq!(
        service.profile(&squatter, &token).await.expect(200)["role"],
        "customer"
    );
    service
        .login("ops@example.com", "operator-password")
        .await
        .expect(401);

    let promoted = create_admin(&service.store, new_admin("ops@example.com", true), now).await;
    assert!(promoted.unwrap().contains("promoted the existing account"));
    // A role change ends the tokens issued before it: the new role needs a new login.
    service.profile(&squatter, &token).await.expect(401);
    let fresh = service.login("ops@example.com", PASSWORD).await;
    let fresh = fresh.expect(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        service.profile(&squatter, &fresh).await.expect(200)["role"],
        "admin"
    );
    let again = create_admin(&service.store, new_admin("OPS@example.com", false), now).await;
    assert!(again.unwrap().contains("already exists"));

    let created = create_admin(&service.store, new_admin("root@example.com", false), now).await;
    assert!(created
        .unwrap()
        .starts_with("created admin root@example.com"));
    let login = service.login("root@example.com", "operator-password").await;
    assert_eq!(login.expect(200)["role"], "admin");
}

impl Service {
    async fn refresh(&self, refresh_token: &str) -> Reply {
        let body = json!({ "refresh_token": refresh_token });
        call!(self, token_refresh, Call::new(Method::POST).json(body))
    }

    async fn logout(&self, token: &str, refresh_token: &str) -> Reply {
        let body = json!({ "refresh_token": refresh_token });
        call!(
            self,
            logout,
            Call::new(Method::POST).bearer(token).json(body)
        )
    }

    /// Logs in: (access token, refresh token).
    async fn session(&self, email: &str) -> (String, String) {
        let login = self.login(email, PASSWORD).await;
        let body = login.expect(200);
        let field = |name: &str| body[name].as_str().unwrap().to_string();
        (field("access_token"), field("refresh_token"))
    }

    async fn change_password(&self, id: &str, token: &str) -> Reply {
        let body = json!({"password": "a-new-password", "current_password": PASSWORD});
        let request = Call::new(Method::PATCH)
            .path("id", id)
            .bearer(token)
            .json(body);
        call!(self, update_profile, request)
    }
}

fn field(reply: &Reply, name: &str) -> String {
    reply.body[name].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_refresh_token_is_spent_once_and_a_copy_presented_again_ends_the_login() {
    let service = Service::default();
    let (dana, _) = service.customer("dana@example.com").await;
    let (_, first) = service.session("dana@example.com").await;
    let renewed = service.refresh(&first).await;
    assert_eq!(renewed.expect(200)["customer_id"], dana.as_str());
    let (access, second) = (
        field(&renewed, "access_token"),
        field(&renewed, "refresh_token"),
    );
    assert_ne!(second, first);
    service.profile(&dana, &access).await.expect(200);
    // The first token again: copied. The whole login ends, the thief's and the owner's.
    service.refresh(&first).await.expect(401);
    service.refresh(&second).await.expect(401);
    // Another login is another family, untouched.
    let (_, other) = service.session("dana@example.com").await;
    service.refresh(&other).await.expect(200);
    service.refresh("not-a-token").await.expect(401);
    service.refresh("").await.expect(422);
}

#[tokio::test]
async fn logout_ends_ones_own_login_only() {
    let service = Service::default();
    service.customer("dana@example.com").await;
    service.customer("eve@example.com").await;
    let (dana_access, dana_refresh) = service.session("dana@example.com").await;
    let (eve_access, _) = service.session("eve@example.com").await;
    // Eve cannot end Dana's login, and learns nothing from trying.
    service.logout(&eve_access, &dana_refresh).await.expect(204);
    let renewed = service.refresh(&dana_refresh).await;
    let next = field(&renewed, "refresh_token");
    service.logout(&dana_access, &next).await.expect(204);
    service.refresh(&next).await.expect(401);
    service.logout(&dana_access, &next).await.expect(204);
}

#[tokio::test]
async fn a_password_change_ends_every_login_and_the_access_tokens_issued_before() {
    let service = Service::default();
    let (dana, _) = service.customer("dana@example.com").await;
    let (access, refresh) = service.session("dana@example.com").await;
    let (elsewhere, elsewhere_refresh) = service.session("dana@example.com").await;
    service.change_password(&dana, &access).await.expect(200);
    service.profile(&dana, &access).await.expect(401);
    service.profile(&dana, &elsewhere).await.expect(401);
    service
        .deposit(&dana, &elsewhere, 100, None)
        .await
        .expect(401);
    service.refresh(&refresh).await.expect(401);
    service.refresh(&elsewhere_refresh).await.expect(401);
    let login = service.login("dana@example.com", "a-new-password").await;
    let fresh = field(&login, "access_token");
    service.profile(&dana, &fresh).await.expect(200);
}

#[tokio::test]
async fn a_demoted_admin_loses_admin_rights_at_once_and_a_closed_account_its_tokens() {
    let service = Service::default();
    let (dana, dana_token) = service.customer("dana@example.com").await;
    let (ops, ops_token) = service.admin("ops@example.com").await;
    let (_, root_token) = service.admin("root@example.com").await;
    service.profile(&dana, &ops_token).await.expect(200);
    let demote = Call::new(Method::PATCH)
        .path("id", &ops)
        .bearer(&root_token)
        .json(json!({"role": "customer"}));
    call!(service, update_profile, demote).expect(200);
    service.profile(&dana, &ops_token).await.expect(401);
    // Closing an account ends its tokens and its logins.
    let (_, dana_refresh) = service.session("dana@example.com").await;
    let close = Call::new(Method::DELETE)
        .path("id", &dana)
        .bearer(&dana_token);
    call!(service, delete_profile, close).expect(204);
    service.profile(&dana, &dana_token).await.expect(404);
    service
        .deposit(&dana, &dana_token, 100, None)
        .await
        .expect(404);
    service.refresh(&dana_refresh).await.expect(401);
}

/// Every request type of Customers reports all its invalid fields in one 422.
#[test]
fn every_request_type_reports_all_its_invalid_fields_at_once() {
    use crate::domain::{
        DepositRequest, LoginRequest, ProfilePatch, RefreshRequest, RegisterRequest,
    };
    use testkit::reports_every_invalid_field;
    reports_every_invalid_field::<RegisterRequest>(
        json!({"email": "a@example.com", "password": "long-enough", "full_name": "Ann",
               "username": "ann", "address": "1 Road", "phone": "+44 1234 5678"}),
        &[
            ("email", json!("not-an-email")),
            ("password", json!("short")),
            ("full_name", json!("Eve\u{202e}gnp.exe")),
            ("username", json!("a b")),
            ("address", json!("")),
            ("phone", json!("12")),
        ],
    );
    reports_every_invalid_field::<LoginRequest>(
        json!({"email": "a@example.com", "password": "x"}),
        &[("email", json!("")), ("password", json!(""))],
    );
    reports_every_invalid_field::<RefreshRequest>(
        json!({"refresh_token": "x.y"}),
        &[("refresh_token", json!(""))],
    );
    reports_every_invalid_field::<ProfilePatch>(
        json!({"full_name": "Ann", "username": "ann", "address": "1 Road", "phone": "12345",
               "password": "long-enough", "current_password": "x", "role": "customer"}),
        &[
            ("full_name", json!("")),
            ("username", json!("a b")),
            ("address", json!("x".repeat(201))),
            ("phone", json!("12")),
            ("password", json!("short")),
            ("current_password", json!("")),
            ("role", json!("service")),
        ],
    );
    reports_every_invalid_field::<DepositRequest>(
        json!({"amount_cents": 100}),
        &[("amount_cents", json!(0))],
    );
}

/// API.md: a spent refresh token presented again "revokes all of that login's tokens":
/// the access tokens of that login (they name it, `sid`) are refused at once, on every
/// route, and so are those of a login that logged out; another login goes on.
#[tokio::test]
async fn ending_a_login_ends_its_access_tokens_too() {
    let service = Service::default();
    let (dana, _) = service.customer("dana@example.com").await;
    let (access, first) = service.session("dana@example.com").await;
    let (elsewhere, _) = service.session("dana@example.com").await;
    let renewed = service.refresh(&first).await;
    let renewed_access = field(&renewed, "access_token");
    service.profile(&dana, &access).await.expect(200);
    service.profile(&dana, &renewed_access).await.expect(200);
    // The spent token again: copied. Every token of that login stops, access ones too.
    service.refresh(&first).await.expect(401);
    service.profile(&dana, &access).await.expect(401);
    service.profile(&dana, &renewed_access).await.expect(401);
    service
        .deposit(&dana, &renewed_access, 100, None)
        .await
        .expect(401);
    service.profile(&dana, &elsewhere).await.expect(200);
    // Logging out ends the login's access tokens as well.
    let (leaving, leaving_refresh) = service.session("dana@example.com").await;
    service.logout(&leaving, &leaving_refresh).await.expect(204);
    service.profile(&dana, &leaving).await.expect(401);
    service.profile(&dana, &elsewhere).await.expect(200);
}

/// Other services ask `GET /internal/customers/{id}?session=` whether a token is current:
/// the answer says whether that login is live, in the same read.
#[tokio::test]
async fn the_status_route_says_whether_a_login_is_live() {
    let service = Service::default();
    let (dana, _) = service.customer("dana@example.com").await;
    let (_, eve_access) = service.customer("eve@example.com").await;
    let (access, refresh) = service.session("dana@example.com").await;
    let login = sid(&access);
    let status = |query: Option<(&str, &str)>| {
        let mut request = Call::new(Method::GET)
            .path("id", &dana)
            .service(&service_token("sales"));
        if let Some((name, value)) = query {
            request = request.query(name, value);
        }
        request
    };
    let live = call!(service, customer_status, status(Some(("session", &login))));
    assert_eq!(live.expect(200)["session_live"], true);
    assert_eq!(live.body["token_generation"], 0);
    let asked_none = call!(service, customer_status, status(None));
    assert_eq!(asked_none.expect(200)["session_live"], false);
    // Another customer's login is no login of Dana's.
    let eves = sid(&eve_access);
    let theirs = call!(service, customer_status, status(Some(("session", &eves))));
    assert_eq!(theirs.expect(200)["session_live"], false);
    let unknown = edge::ids::new_id();
    let unknown = call!(
        service,
        customer_status,
        status(Some(("session", &unknown)))
    );
    assert_eq!(unknown.expect(200)["session_live"], false);
    call!(service, customer_status, status(Some(("session", "x")))).expect(422);
    service.logout(&access, &refresh).await.expect(204);
    let ended = call!(service, customer_status, status(Some(("session", &login))));
    assert_eq!(ended.expect(200)["session_live"], false);
}

/// A token naming no login (as issued before tokens named theirs) is never current,
/// though its signature, generation and role are right.
#[tokio::test]
async fn tokens_naming_no_login_are_never_current() {
    let service = Service::default();
    let (dana, token) = service.customer("dana@example.com").await;
    service.profile(&dana, &token).await.expect(200);
    let keys = keys();
    let bare = keys.users().unwrap().issue(&dana, Role::Customer).unwrap();
    service.profile(&dana, &bare.token).await.expect(401);
}

/// The login an access token names (its `sid` claim).
fn sid(access_token: &str) -> String {
    let keys = keys();
    let principal = keys.users().unwrap().verify(access_token).unwrap();
    principal.session.expect("access tokens name their login")
}
