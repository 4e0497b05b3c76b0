//! The contract of [`Customers`]: every rule its documentation (and the store's module
//! documentation) states, checked against any implementation — the in-process double
//! (`crate::memory`, by this crate's unit tests) and the DynamoDB [`crate::store::Store`]
//! (by the end-to-end tests, on DynamoDB Local), so the double cannot drift from the
//! table's rules.
//!
//! Compiled for this crate's tests and, behind the `contract-tests` feature, for the e2e
//! crate; the functions never call it (it is generic: no code of it reaches a binary).
//! Every id, email, key and counter is fresh (ULIDs), so runs against a table in use
//! never meet other data.

use crate::domain::{AccountStatus, ChargeStatus, Credit, CustomerRecord, MAX_BALANCE_CENTS};
use crate::sessions::{RefreshRecord, Rotated};
use crate::store::{Changes, Charged, Created, Credited, Customers, Deposited, Taken};
use edge::auth::Role;
use edge::domain::Email;
use edge::ids::new_id;
use edge::money::Cents;
use infra::time::now_rfc3339;
use testkit::Rules;

fn email(name: &str) -> Email {
    Email::parse(&format!(
        "{name}-{}@contract.example",
        new_id().to_lowercase()
    ))
    .unwrap()
}

fn customer(email: &Email, balance: i64) -> CustomerRecord {
    let now = now_rfc3339();
    CustomerRecord {
        id: new_id(),
        email: email.clone(),
        full_name: "Contract Customer".into(),
        username: Some("contract".into()),
        address: Some("1 Test Road".into()),
        phone: None,
        role: Role::Customer,
        wallet_balance_cents: Cents::new(balance),
        password_hash: "hash-1".into(),
        status: AccountStatus::Active,
        created_at: now.clone(),
        updated_at: now,
        token_generation: 0,
    }
}

fn created(answer: &Created) -> &'static str {
    match answer {
        Created::Yes => "Yes",
        Created::EmailTaken => "EmailTaken",
    }
}

fn deposited(answer: &Deposited) -> String {
    match answer {
        Deposited::Balance(balance) => format!("Balance({balance})"),
        Deposited::NotFound => "NotFound".into(),
        Deposited::OverLimit => "OverLimit".into(),
        Deposited::KeyReusedWithOtherRequest => "KeyReusedWithOtherRequest".into(),
    }
}

fn charged(answer: &Charged) -> String {
    match answer {
        Charged::Yes(charge) => format!("Yes({charge:?})"),
        Charged::CustomerNotFound => "CustomerNotFound".into(),
        Charged::InsufficientFunds => "InsufficientFunds".into(),
        Charged::SaleIdConflict(why) => format!("SaleIdConflict({why})"),
    }
}

fn credited(answer: &Credited) -> String {
    match answer {
        Credited::Yes(credit) => format!("Yes({credit:?})"),
        Credited::NotCharged => "NotCharged".into(),
        Credited::BeyondCharge => "BeyondCharge".into(),
        Credited::CreditIdConflict => "CreditIdConflict".into(),
    }
}

async fn balance(store: &impl Customers, id: &str) -> Option<i64> {
    store
        .get(id)
        .await
        .unwrap()
        .map(|c| c.wallet_balance_cents.get())
}

fn credit(sale: &str, customer: &str, amount: i64) -> Credit {
    Credit {
        credit_id: new_id(),
        sale_id: sale.into(),
        customer_id: customer.into(),
        amount_cents: Cents::new(amount),
        created_at: now_rfc3339(),
    }
}

fn refresh(family: &str, customer: &str) -> RefreshRecord {
    RefreshRecord {
        hash: format!("contract-{}", new_id()),
        family: family.into(),
        customer_id: customer.into(),
        generation: 0,
        expires_at: infra::time::epoch_seconds() + 3600,
        spent: false,
    }
}

/// Checks every rule of [`Customers`] on `store`; panics naming each broken rule, and
/// answers how many were checked. `name` says which store in the message.
pub async fn check(store: &impl Customers, name: &str) -> usize {
    let mut rules = Rules::default();
    accounts(store, &mut rules).await;
    wallets(store, &mut rules).await;
    charges(store, &mut rules).await;
    attempts(store, &mut rules).await;
    sessions(store, &mut rules).await;
    rules.verdict("Customers", name)
}

/// create, get, find_by_email, update, delete.
async fn accounts(store: &impl Customers, rules: &mut Rules) {
    let mail = email("ada");
    let ada = customer(&mail, 0);
    let answer = store.create(&ada).await.unwrap();
    rules.check(
        "create writes a new customer",
        matches!(answer, Created::Yes),
        created(&answer),
    );
    let read = store.get(&ada.id).await.unwrap();
    rules.check(
        "get answers a created customer as created",
        read.as_ref().is_some_and(|c| {
            c.email == mail
                && c.full_name == ada.full_name
                && c.username == ada.username
                && c.status == AccountStatus::Active
                && c.wallet_balance_cents == Cents::ZERO
        }),
        &read,
    );
    let found = store.find_by_email(&mail).await.unwrap();
    rules.check(
        "find_by_email answers the active customer with the email",
        found.as_ref().is_some_and(|c| c.id == ada.id),
        &found,
    );
    let twin = customer(&mail, 0);
    let answer = store.create(&twin).await.unwrap();
    rules.check(
        "create with a claimed email answers EmailTaken",
        matches!(answer, Created::EmailTaken),
        created(&answer),
    );
    let twin_read = store.get(&twin.id).await.unwrap();
    rules.check(
        "a refused create writes neither the customer nor the claim (both or neither)",
        twin_read.is_none()
            && store
                .find_by_email(&mail)
                .await
                .unwrap()
                .is_some_and(|c| c.id == ada.id),
        &twin_read,
    );
    let mut same_id = customer(&email("ada-again"), 0);
    same_id.id = ada.id.clone();
    let same_id_email = same_id.email.clone();
    let answer = store.create(&same_id).await;
    rules.check(
        "create under a taken id is refused, and claims no email",
        !matches!(answer, Ok(Created::Yes))
            && store.find_by_email(&same_id_email).await.unwrap().is_none(),
        answer.as_ref().map(created),
    );
    let unknown = store.get(&new_id()).await.unwrap();
    rules.check(
        "get of an unknown id answers None",
        unknown.is_none(),
        &unknown,
    );
    let guard = store.get(&format!("email#{mail}")).await.unwrap();
    rules.check(
        "get answers customers only (not an email's claim)",
        guard.is_none(),
        &guard,
    );
    let nobody = store.find_by_email(&email("nobody")).await.unwrap();
    rules.check(
        "find_by_email of an unclaimed email answers None",
        nobody.is_none(),
        &nobody,
    );

    let now = now_rfc3339();
    let updated = store
        .update(
            &ada.id,
            Changes {
                full_name: Some("Ada L.".into()),
                username: Some(None),
                phone: Some(Some("+1 555 0100".into())),
                ..Changes::default()
            },
            &now,
        )
        .await
        .unwrap();
    rules.check(
        "update sets the given fields, clears those given None, keeps the rest",
        updated.as_ref().is_some_and(|c| {
            c.full_name == "Ada L."
                && c.username.is_none()
                && c.phone.as_deref() == Some("+1 555 0100")
                && c.address == ada.address
                && c.updated_at == now
        }),
        &updated,
    );
    rules.check(
        "a profile update keeps the token generation",
        updated.as_ref().is_some_and(|c| c.token_generation == 0),
        &updated,
    );
    let stored = store.get(&ada.id).await.unwrap();
    rules.check(
        "an update reads back",
        stored
            .as_ref()
            .is_some_and(|c| c.full_name == "Ada L." && c.username.is_none()),
        &stored,
    );
    let secured = store
        .update(
            &ada.id,
            Changes {
                password_hash: Some("hash-2".into()),
                ..Changes::default()
            },
            &now_rfc3339(),
        )
        .await
        .unwrap();
    let promoted = store
        .update(
            &ada.id,
            Changes {
                role: Some(Role::Admin),
                ..Changes::default()
            },
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "a password or role change moves the token generation on, once each",
        secured
            .as_ref()
            .is_some_and(|c| c.token_generation == 1 && c.password_hash == "hash-2")
            && promoted
                .as_ref()
                .is_some_and(|c| c.token_generation == 2 && c.role == Role::Admin),
        (&secured, &promoted),
    );
    let ghost = new_id();
    let nobody = store
        .update(
            &ghost,
            Changes {
                full_name: Some("Ghost".into()),
                ..Changes::default()
            },
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update of an unknown customer answers None, and creates nothing",
        nobody.is_none() && store.get(&ghost).await.unwrap().is_none(),
        &nobody,
    );

    let ada_now = store.get(&ada.id).await.unwrap().unwrap();
    let deleted = store.delete(&ada_now, &now_rfc3339()).await.unwrap();
    rules.check(
        "delete of an active customer answers true",
        deleted,
        deleted,
    );
    let after = store.get(&ada.id).await.unwrap();
    rules.check(
        "a deleted customer stays readable by id, marked deleted",
        after
            .as_ref()
            .is_some_and(|c| c.status == AccountStatus::Deleted),
        &after,
    );
    let by_email = store.find_by_email(&mail).await.unwrap();
    rules.check(
        "find_by_email does not answer a deleted customer",
        by_email.is_none(),
        &by_email,
    );
    let again = store.delete(&ada_now, &now_rfc3339()).await.unwrap();
    rules.check("delete of a deleted customer answers false", !again, again);
    let unknown = store
        .delete(&customer(&email("never"), 0), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "delete of an unknown customer answers false",
        !unknown,
        unknown,
    );
    let frozen = store
        .update(
            &ada.id,
            Changes {
                full_name: Some("Back".into()),
                ..Changes::default()
            },
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "update of a deleted customer answers None",
        frozen.is_none(),
        &frozen,
    );
    let heir = customer(&mail, 0);
    let answer = store.create(&heir).await.unwrap();
    rules.check(
        "delete frees the email: a new customer may claim it",
        matches!(answer, Created::Yes)
            && store
                .find_by_email(&mail)
                .await
                .unwrap()
                .is_some_and(|c| c.id == heir.id),
        created(&answer),
    );
    let stale_delete = store.delete(&ada_now, &now_rfc3339()).await.unwrap();
    rules.check(
        "deleting the former owner again leaves the new owner's claim",
        !stale_delete
            && store
                .find_by_email(&mail)
                .await
                .unwrap()
                .is_some_and(|c| c.id == heir.id),
        stale_delete,
    );
}

/// deposit, deposit_once.
async fn wallets(store: &impl Customers, rules: &mut Rules) {
    let bob = customer(&email("bob"), 100);
    store.create(&bob).await.unwrap();
    let now = now_rfc3339();
    let answer = store.deposit(&bob.id, Cents::new(250), &now).await.unwrap();
    rules.check(
        "deposit adds to an active wallet and answers the balance",
        matches!(answer, Deposited::Balance(b) if b == Cents::new(350))
            && balance(store, &bob.id).await == Some(350),
        deposited(&answer),
    );
    let answer = store
        .deposit(&bob.id, Cents::new(MAX_BALANCE_CENTS - 350), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit up to exactly the balance ceiling applies",
        matches!(answer, Deposited::Balance(b) if b == Cents::new(MAX_BALANCE_CENTS)),
        deposited(&answer),
    );
    let answer = store
        .deposit(&bob.id, Cents::new(1), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit past the ceiling answers OverLimit, and adds nothing",
        matches!(answer, Deposited::OverLimit)
            && balance(store, &bob.id).await == Some(MAX_BALANCE_CENTS),
        deposited(&answer),
    );
    let answer = store
        .deposit(&new_id(), Cents::new(1), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit to an unknown customer answers NotFound",
        matches!(answer, Deposited::NotFound),
        deposited(&answer),
    );

    let carol = customer(&email("carol"), 0);
    store.create(&carol).await.unwrap();
    let key = format!("key-{}", new_id());
    let first = store
        .deposit_once(&carol.id, &key, Cents::new(500), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit_once with a new key deposits",
        matches!(first, Deposited::Balance(b) if b == Cents::new(500)),
        deposited(&first),
    );
    store
        .deposit(&carol.id, Cents::new(20), &now_rfc3339())
        .await
        .unwrap();
    let retry = store
        .deposit_once(&carol.id, &key, Cents::new(500), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit_once again with the key answers exactly the first answer, depositing nothing",
        matches!(retry, Deposited::Balance(b) if b == Cents::new(500))
            && balance(store, &carol.id).await == Some(520),
        (deposited(&retry), balance(store, &carol.id).await),
    );
    let other = store
        .deposit_once(&carol.id, &key, Cents::new(501), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "deposit_once with the key and another amount answers KeyReusedWithOtherRequest",
        matches!(other, Deposited::KeyReusedWithOtherRequest)
            && balance(store, &carol.id).await == Some(520),
        deposited(&other),
    );
    let elsewhere = store
        .deposit_once(&bob.id, &key, Cents::new(500), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a deposit key is its customer's: another wallet's use of it is its own request",
        matches!(elsewhere, Deposited::OverLimit),
        deposited(&elsewhere),
    );
    let over_key = format!("key-{}", new_id());
    let over = store
        .deposit_once(
            &carol.id,
            &over_key,
            Cents::new(MAX_BALANCE_CENTS),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    let later = store
        .deposit_once(&carol.id, &over_key, Cents::new(5), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a refused deposit_once binds nothing: the key may deposit later",
        matches!(over, Deposited::OverLimit)
            && matches!(later, Deposited::Balance(b) if b == Cents::new(525)),
        (deposited(&over), deposited(&later)),
    );
    let nobody = store
        .deposit_once(
            &new_id(),
            &format!("key-{}", new_id()),
            Cents::new(5),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "deposit_once to an unknown customer answers NotFound",
        matches!(nobody, Deposited::NotFound),
        deposited(&nobody),
    );
    store.delete(&carol, &now_rfc3339()).await.unwrap();
    let closed = store
        .deposit(&carol.id, Cents::new(5), &now_rfc3339())
        .await
        .unwrap();
    let closed_once = store
        .deposit_once(
            &carol.id,
            &format!("key-{}", new_id()),
            Cents::new(5),
            &now_rfc3339(),
        )
        .await
        .unwrap();
    rules.check(
        "deposits to a deleted customer answer NotFound, and add nothing",
        matches!(closed, Deposited::NotFound)
            && matches!(closed_once, Deposited::NotFound)
            && balance(store, &carol.id).await == Some(525),
        (deposited(&closed), deposited(&closed_once)),
    );
}

/// charge, refund, credit.
async fn charges(store: &impl Customers, rules: &mut Rules) {
    let dan = customer(&email("dan"), 1_000);
    store.create(&dan).await.unwrap();
    let sale = new_id();
    let now = now_rfc3339();
    let answer = store
        .charge(&dan.id, &sale, Cents::new(600), &now)
        .await
        .unwrap();
    rules.check(
        "charge takes the amount from an active wallet, and answers the charge",
        matches!(&answer, Charged::Yes(c) if c.amount_cents == Cents::new(600)
            && c.status == ChargeStatus::Charged
            && c.sale_id == sale && c.customer_id == dan.id && c.credited_cents == Cents::ZERO)
            && balance(store, &dan.id).await == Some(400),
        charged(&answer),
    );
    let again = store
        .charge(&dan.id, &sale, Cents::new(600), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge again for the sale answers the same charge, and takes nothing more",
        matches!(&again, Charged::Yes(c) if c.amount_cents == Cents::new(600) && c.created_at == now)
            && balance(store, &dan.id).await == Some(400),
        charged(&again),
    );
    let other_amount = store
        .charge(&dan.id, &sale, Cents::new(601), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge under a used sale id for another amount answers SaleIdConflict",
        matches!(other_amount, Charged::SaleIdConflict(_)),
        charged(&other_amount),
    );
    let eve = customer(&email("eve"), 1_000);
    store.create(&eve).await.unwrap();
    let other_customer = store
        .charge(&eve.id, &sale, Cents::new(600), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge under a used sale id for another customer answers SaleIdConflict, takes nothing",
        matches!(other_customer, Charged::SaleIdConflict(_))
            && balance(store, &eve.id).await == Some(1_000),
        charged(&other_customer),
    );
    let poor_sale = new_id();
    let poor = store
        .charge(&dan.id, &poor_sale, Cents::new(401), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge beyond the balance answers InsufficientFunds, and takes nothing",
        matches!(poor, Charged::InsufficientFunds) && balance(store, &dan.id).await == Some(400),
        charged(&poor),
    );
    let exact = store
        .charge(&dan.id, &poor_sale, Cents::new(400), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a refused charge records nothing; a charge may take the balance to exactly zero",
        matches!(exact, Charged::Yes(_)) && balance(store, &dan.id).await == Some(0),
        charged(&exact),
    );
    let nobody = store
        .charge(&new_id(), &new_id(), Cents::new(1), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge of an unknown customer answers CustomerNotFound",
        matches!(nobody, Charged::CustomerNotFound),
        charged(&nobody),
    );

    // refund: once; first, a tombstone
    let stolen = store.refund(&eve.id, &sale, &now_rfc3339()).await;
    rules.check(
        "refund of another customer's charge is refused, and gives nothing",
        stolen.is_err()
            && balance(store, &eve.id).await == Some(1_000)
            && balance(store, &dan.id).await == Some(0),
        &stolen,
    );
    let refund_at = now_rfc3339();
    let refunded = store.refund(&dan.id, &poor_sale, &refund_at).await.unwrap();
    rules.check(
        "refund gives the charge back: refunded, at now, its amount kept",
        refunded.status == ChargeStatus::Refunded
            && refunded.amount_cents == Cents::new(400)
            && refunded.refunded_at.as_deref() == Some(refund_at.as_str())
            && balance(store, &dan.id).await == Some(400),
        &refunded,
    );
    let twice = store
        .refund(&dan.id, &poor_sale, &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "refund again answers the refunded charge, its first time kept, and gives nothing more",
        twice.status == ChargeStatus::Refunded
            && twice.refunded_at.as_deref() == Some(refund_at.as_str())
            && balance(store, &dan.id).await == Some(400),
        &twice,
    );
    let late = store
        .charge(&dan.id, &poor_sale, Cents::new(400), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge after the sale's refund answers SaleIdConflict, and takes nothing",
        matches!(late, Charged::SaleIdConflict(_)) && balance(store, &dan.id).await == Some(400),
        charged(&late),
    );
    let early_sale = new_id();
    let tombstone = store
        .refund(&dan.id, &early_sale, &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "refund before any charge leaves a tombstone: refunded, nothing given",
        tombstone.status == ChargeStatus::Refunded
            && tombstone.amount_cents == Cents::ZERO
            && tombstone.sale_id == early_sale
            && balance(store, &dan.id).await == Some(400),
        &tombstone,
    );
    let overtaken = store
        .charge(&dan.id, &early_sale, Cents::new(100), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "a charge arriving after its refund's tombstone is refused, and takes nothing",
        matches!(overtaken, Charged::SaleIdConflict(_))
            && balance(store, &dan.id).await == Some(400),
        charged(&overtaken),
    );

    // credit: part of a charge, once per credit id, never beyond the charge
    let first = credit(&sale, &dan.id, 250);
    let answer = store.credit(first.clone()).await.unwrap();
    rules.check(
        "credit gives part of a charge back to the wallet",
        matches!(&answer, Credited::Yes(c) if c.credit_id == first.credit_id)
            && balance(store, &dan.id).await == Some(650),
        credited(&answer),
    );
    let replay = store.credit(first.clone()).await.unwrap();
    rules.check(
        "credit again with its id answers the credit, and gives nothing more",
        matches!(replay, Credited::Yes(_)) && balance(store, &dan.id).await == Some(650),
        credited(&replay),
    );
    let mut reused = first.clone();
    reused.amount_cents = Cents::new(10);
    let conflict = store.credit(reused).await.unwrap();
    rules.check(
        "a credit id used for another amount answers CreditIdConflict",
        matches!(conflict, Credited::CreditIdConflict)
            && balance(store, &dan.id).await == Some(650),
        credited(&conflict),
    );
    let beyond = store.credit(credit(&sale, &dan.id, 351)).await.unwrap();
    rules.check(
        "credits beyond what is left of the charge answer BeyondCharge, and give nothing",
        matches!(beyond, Credited::BeyondCharge) && balance(store, &dan.id).await == Some(650),
        credited(&beyond),
    );
    let rest = store.credit(credit(&sale, &dan.id, 350)).await.unwrap();
    rules.check(
        "credits may give back exactly the whole charge",
        matches!(rest, Credited::Yes(_)) && balance(store, &dan.id).await == Some(1_000),
        credited(&rest),
    );
    let more = store.credit(credit(&sale, &dan.id, 1)).await.unwrap();
    rules.check(
        "no credit once the charge is credited whole",
        matches!(more, Credited::BeyondCharge),
        credited(&more),
    );
    let uncharged = store.credit(credit(&new_id(), &dan.id, 1)).await.unwrap();
    rules.check(
        "credit of a sale never charged answers NotCharged",
        matches!(uncharged, Credited::NotCharged),
        credited(&uncharged),
    );
    let given_back = store.credit(credit(&poor_sale, &dan.id, 1)).await.unwrap();
    rules.check(
        "credit of a charge given back answers NotCharged",
        matches!(given_back, Credited::NotCharged) && balance(store, &dan.id).await == Some(1_000),
        credited(&given_back),
    );
    let someone_else = store.credit(credit(&sale, &eve.id, 1)).await.unwrap();
    rules.check(
        "credit of another customer's charge answers NotCharged",
        matches!(someone_else, Credited::NotCharged)
            && balance(store, &eve.id).await == Some(1_000),
        credited(&someone_else),
    );

    // a deleted customer is charged no more
    let fay = customer(&email("fay"), 500);
    store.create(&fay).await.unwrap();
    store.delete(&fay, &now_rfc3339()).await.unwrap();
    let closed = store
        .charge(&fay.id, &new_id(), Cents::new(1), &now_rfc3339())
        .await
        .unwrap();
    rules.check(
        "charge of a deleted customer answers CustomerNotFound",
        matches!(closed, Charged::CustomerNotFound) && balance(store, &fay.id).await == Some(500),
        charged(&closed),
    );
}

/// take_attempt, give_back_attempt, count_failure.
async fn attempts(store: &impl Customers, rules: &mut Rules) {
    let counter = format!("login#contract-{}", new_id());
    let now = infra::time::epoch_seconds();
    let (limit, window) = (2, 60);
    let first = store
        .take_attempt(&counter, limit, now, window)
        .await
        .unwrap();
    let second = store
        .take_attempt(&counter, limit, now, window)
        .await
        .unwrap();
    rules.check(
        "take_attempt opens a window and takes up to `limit` attempts",
        first == Taken::Yes && second == Taken::Yes,
        (&first, &second),
    );
    let third = store
        .take_attempt(&counter, limit, now, window)
        .await
        .unwrap();
    rules.check(
        "attempts in flight filling the window answer Busy",
        third == Taken::Busy,
        &third,
    );
    store.give_back_attempt(&counter).await.unwrap();
    let freed = store
        .take_attempt(&counter, limit, now + 1, window)
        .await
        .unwrap();
    rules.check(
        "a successful attempt gives its slot back",
        freed == Taken::Yes,
        &freed,
    );
    // The two attempts in flight fail: their slots stay taken, and count.
    store.count_failure(&counter).await.unwrap();
    store.count_failure(&counter).await.unwrap();
    let spent = store
        .take_attempt(&counter, limit, now + 10, window)
        .await
        .unwrap();
    rules.check(
        "failures reaching the limit spend the window until it closes (retry_after)",
        spent == Taken::Spent { retry_after: 50 },
        &spent,
    );
    let still = store
        .take_attempt(&counter, limit, now + 20, window)
        .await
        .unwrap();
    rules.check(
        "a spent window stays spent until it closes",
        still == Taken::Spent { retry_after: 40 },
        &still,
    );
    let reopened = store
        .take_attempt(&counter, limit, now + window, window)
        .await
        .unwrap();
    rules.check(
        "once the window closes, an attempt opens a new one",
        reopened == Taken::Yes,
        &reopened,
    );
    let fresh = format!("login#contract-{}", new_id());
    let nothing = store.give_back_attempt(&fresh).await;
    let nothing_failed = store.count_failure(&fresh).await;
    rules.check(
        "give_back_attempt and count_failure of a counter without a window are harmless",
        nothing.is_ok() && nothing_failed.is_ok(),
        (&nothing, &nothing_failed),
    );
    let opened = store.take_attempt(&fresh, 1, now, window).await.unwrap();
    rules.check(
        "... and leave no window behind",
        opened == Taken::Yes,
        &opened,
    );
}

/// start_family, refresh_token, rotate, revoke_family, session.
async fn sessions(store: &impl Customers, rules: &mut Rules) {
    let gus = customer(&email("gus"), 0);
    store.create(&gus).await.unwrap();
    let family = new_id();
    let first = refresh(&family, &gus.id);
    store.start_family(&first).await.unwrap();
    let read = store.refresh_token(&first.hash).await.unwrap();
    rules.check(
        "refresh_token answers a family's first token as stored",
        read.as_ref().is_some_and(|t| {
            t.family == family
                && t.customer_id == gus.id
                && !t.spent
                && t.expires_at == first.expires_at
        }),
        &read,
    );
    let unknown = store.refresh_token("contract-unknown").await.unwrap();
    rules.check(
        "refresh_token of an unknown hash answers None",
        unknown.is_none(),
        &unknown,
    );
    let (who, live) = store.session(&gus.id, &family).await.unwrap();
    rules.check(
        "session: a started family is live for its customer, who is answered",
        live && who.as_ref().is_some_and(|c| c.id == gus.id),
        (&who, live),
    );
    let (_, foreign) = store.session(&new_id(), &family).await.unwrap();
    rules.check(
        "session: a family is not live for another customer",
        !foreign,
        foreign,
    );
    let (none, unknown_live) = store.session(&new_id(), &new_id()).await.unwrap();
    rules.check(
        "session of an unknown customer and family: None, not live",
        none.is_none() && !unknown_live,
        (&none, unknown_live),
    );

    let second = refresh(&family, &gus.id);
    let rotated = store.rotate(&first, &second).await.unwrap();
    rules.check(
        "rotate spends an unspent token of a live family for the next",
        rotated == Rotated::Done,
        &rotated,
    );
    let (old, new) = (
        store.refresh_token(&first.hash).await.unwrap(),
        store.refresh_token(&second.hash).await.unwrap(),
    );
    rules.check(
        "after a rotation the old token is spent and the next one stored, unspent",
        old.as_ref().is_some_and(|t| t.spent) && new.as_ref().is_some_and(|t| !t.spent),
        (&old, &new),
    );
    let third = refresh(&family, &gus.id);
    let reused = store.rotate(&first, &third).await.unwrap();
    rules.check(
        "rotate of a spent token answers AlreadySpent, and issues nothing",
        reused == Rotated::AlreadySpent
            && store.refresh_token(&third.hash).await.unwrap().is_none(),
        &reused,
    );
    let never = refresh(&family, &gus.id);
    let missing = store
        .rotate(&never, &refresh(&family, &gus.id))
        .await
        .unwrap();
    rules.check(
        "rotate of a token never issued answers AlreadySpent",
        missing == Rotated::AlreadySpent,
        &missing,
    );

    store.revoke_family(&family).await.unwrap();
    let (who, live) = store.session(&gus.id, &family).await.unwrap();
    rules.check(
        "a revoked family is not live; the customer is still answered",
        !live && who.is_some(),
        (&who, live),
    );
    let fourth = refresh(&family, &gus.id);
    let revoked = store.rotate(&second, &fourth).await.unwrap();
    rules.check(
        "rotate in a revoked family answers Revoked, and spends and issues nothing",
        revoked == Rotated::Revoked
            && store
                .refresh_token(&second.hash)
                .await
                .unwrap()
                .is_some_and(|t| !t.spent)
            && store.refresh_token(&fourth.hash).await.unwrap().is_none(),
        &revoked,
    );
    let revived = store.start_family(&refresh(&family, &gus.id)).await;
    let (_, live_again) = store.session(&gus.id, &family).await.unwrap();
    rules.check(
        "a family id is started once: starting it again never revives a revoked family",
        !live_again,
        (&revived, live_again),
    );
    let nothing = store.revoke_family(&new_id()).await;
    rules.check(
        "revoke_family of an unknown family is harmless",
        nothing.is_ok(),
        &nothing,
    );

    let other_family = new_id();
    store
        .start_family(&refresh(&other_family, &gus.id))
        .await
        .unwrap();
    store.delete(&gus, &now_rfc3339()).await.unwrap();
    let (who, _) = store.session(&gus.id, &other_family).await.unwrap();
    rules.check(
        "session answers a deleted customer too (marked deleted)",
        who.as_ref()
            .is_some_and(|c| c.status == AccountStatus::Deleted),
        &who,
    );
}

#[cfg(test)]
mod tests {
    use crate::memory::MemoryCustomers;

    #[tokio::test]
    async fn the_double_keeps_the_customers_contract() {
        let checked = super::check(&MemoryCustomers::default(), "MemoryCustomers").await;
        println!("Customers contract, in-memory double: {checked} rules checked");
    }
}
