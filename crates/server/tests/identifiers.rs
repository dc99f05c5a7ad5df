//! Only verified email addresses and phone numbers identify a person (issue 11 §4): someone who
//! adds another person's address to their own account, unverified, gains nothing by it — the
//! owner still signs up and in with it, and the copy goes once the owner verifies.

mod common;

use common::TestServer;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, Connection};
use userdesk_fapi::models::SignUpStatus;
use userdesk_fapi::{EmailVerification, SignUpParams, SignUpVerification};

const VICTIM: &str = "victim@example.com";

fn sign_up_params(email: &str) -> SignUpParams {
    SignUpParams {
        email_address: Some(email.into()),
        password: Some("a-good-long-password".into()),
        username: Some("the_victim".into()),
        ..SignUpParams::default()
    }
}

/// The addresses on `client`'s account.
async fn addresses(client: &userdesk_fapi::Client) -> Vec<String> {
    client.email_addresses().await.expect("list").into_iter().map(|e| e.email_address).collect()
}

#[tokio::test]
async fn an_unverified_copy_of_someone_elses_address_takes_nothing_from_them() {
    let server = TestServer::start().await;
    // The attacker has a password of their own and adds the victim's address, unverified.
    let attacker = server.user_client("attacker@example.com", Some("attacker")).await;
    attacker.create_email_address(VICTIM).await.expect("an unverified address may be added");

    // A password sign-in by that address does not reach the attacker's account.
    let error = server
        .client()
        .sign_in_with_password(VICTIM, "long-enough-1")
        .await
        .expect_err("an unverified address signs no one in");
    assert_eq!(error.code(), "form_identifier_not_found");

    // The victim signs up with their address and verifies it.
    let victim = server.client();
    let sign_up = victim.sign_up(&sign_up_params(VICTIM)).await.expect("the address is free to sign up with");
    victim
        .prepare_sign_up_verification(&sign_up.id, &SignUpVerification::EmailCode)
        .await
        .expect("code sent");
    let code = server.latest_code(VICTIM).await;
    let done = victim
        .attempt_sign_up_verification(&sign_up.id, &SignUpVerification::EmailCode, &code)
        .await
        .expect("verified");
    assert_eq!(done.status, SignUpStatus::Complete);

    // The attacker's copy is gone, and the address signs in to the victim's account only.
    assert_eq!(addresses(&attacker).await, ["attacker@example.com"]);
    let me = victim.me().await.expect("signed in");
    let again = server.client();
    again.sign_in_with_password(VICTIM, "a-good-long-password").await.expect("the owner signs in");
    assert_eq!(again.me().await.expect("me").id, me.id);

    // Now that it is verified, no one else can add it.
    let error = attacker.create_email_address(VICTIM).await.expect_err("verified by its owner");
    assert_eq!((error.code(), error.field()), ("form_identifier_exists", Some("email_address")));
}

#[tokio::test]
async fn whoever_verifies_first_keeps_the_address_and_the_other_copy_goes() {
    let server = TestServer::start().await;
    let first = server.user_client("first@example.com", Some("first")).await;
    let second = server.user_client("second@example.com", Some("second")).await;
    let mine = first.create_email_address("shared@example.com").await.expect("add");
    let theirs =
        second.create_email_address("Shared@Example.com").await.expect("add, unverified, beside the other");

    // The second has a link on the way; the first verifies by code.
    second
        .prepare_email_verification(&theirs.id, &EmailVerification::Link { redirect_url: None })
        .await
        .expect("link");
    let link = server.latest_link("shared@example.com").await;
    first.prepare_email_verification(&mine.id, &EmailVerification::Code).await.expect("code");
    let code = server.latest_code("shared@example.com").await;
    let verified = first.attempt_email_verification(&mine.id, &code).await.expect("verified");
    assert!(verified.is_verified());

    assert_eq!(addresses(&second).await, ["second@example.com"], "the other copy went");
    let error = second.attempt_email_verification(&theirs.id, "000000").await.expect_err("gone");
    assert_eq!(error.status(), Some(404));
    // Its link no longer verifies anything.
    let page = server.raw().send(reqwest::Client::new().get(&link)).await;
    assert!(!page.status.is_success(), "{}", page.body);
    assert_eq!(addresses(&first).await, ["first@example.com", "shared@example.com"]);

    // The same person cannot add an address twice, verified or not.
    first.create_email_address("pending@example.com").await.expect("add");
    let error = first.create_email_address("PENDING@example.com").await.expect_err("twice");
    assert_eq!(error.code(), "form_identifier_exists");
}

#[tokio::test]
async fn a_phone_number_someone_verified_cannot_be_added_and_an_unverified_one_can() {
    let server = TestServer::start().await;
    let owner = server.user_client("owner@example.com", Some("owner")).await;
    let other = server.user_client("other@example.com", Some("other")).await;
    let phone = owner.create_phone_number("+1 202 555 0142").await.expect("add");
    other.create_phone_number("+12025550142").await.expect("unverified: no obstacle");

    owner.prepare_phone_verification(&phone.id).await.expect("code");
    let code = server.latest_code("+12025550142").await;
    owner.attempt_phone_verification(&phone.id, &code).await.expect("verified");

    assert!(other.me().await.expect("me").phone_numbers.is_empty(), "the unverified copy went");
    let error = other.create_phone_number("+12025550142").await.expect_err("verified by its owner");
    assert_eq!((error.code(), error.field()), ("form_identifier_exists", Some("phone_number")));
}

#[tokio::test]
async fn a_database_from_before_the_rule_keeps_its_accounts_and_gains_the_rule() {
    // A database as the previous release left it: migrations 0001–0005, a user with a verified
    // address and another with an unverified copy of it.
    let dir = tempfile::tempdir().expect("temp dir");
    let old_migrations = tempfile::tempdir().expect("temp dir");
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    for name in [
        "0001_accounts.sql",
        "0002_verification_delivery.sql",
        "0003_external_accounts.sql",
        "0004_security.sql",
        "0005_profile_images.sql",
    ] {
        std::fs::copy(source.join(name), old_migrations.path().join(name)).expect("copy a migration");
    }
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join(userdesk_server::DATABASE_FILE))
        .create_if_missing(true)
        .foreign_keys(true);
    let mut conn = options.connect().await.expect("the old database opens");
    Migrator::new(old_migrations.path())
        .await
        .expect("old migrations")
        .run(&mut conn)
        .await
        .expect("migrated");
    sqlx::raw_sql(
        "INSERT INTO users (id, created_at, updated_at) VALUES ('user_a', 1, 1), ('user_b', 1, 1);
         INSERT INTO identifications (id, user_id, kind, value, created_at, updated_at)
             VALUES ('idn_a', 'user_a', 'email_address', 'kept@example.com', 1, 1),
                    ('idn_b', 'user_b', 'email_address', 'pending@example.com', 1, 1);
         UPDATE users SET primary_email_address_id = 'idn_a' WHERE id = 'user_a';
         INSERT INTO verifications (id, identification_id, status, strategy, created_at, updated_at)
             VALUES ('ver_a', 'idn_a', 'verified', 'admin', 1, 1);",
    )
    .execute(&mut conn)
    .await
    .expect("old rows");
    conn.close().await.expect("closed");

    let server = TestServer::start_in(dir).await;
    let rows: Vec<(String, String, bool)> = {
        let mut conn = SqliteConnectOptions::new()
            .filename(server.dir.path().join(userdesk_server::DATABASE_FILE))
            .read_only(true)
            .connect()
            .await
            .expect("opens");
        let rows = sqlx::query_as("SELECT id, value, verified FROM identifications ORDER BY id")
            .fetch_all(&mut conn)
            .await
            .expect("rows");
        let primary: Option<String> =
            sqlx::query_scalar("SELECT primary_email_address_id FROM users WHERE id = 'user_a'")
                .fetch_one(&mut conn)
                .await
                .expect("user");
        assert_eq!(primary.as_deref(), Some("idn_a"), "references into the rebuilt table hold");
        let verification: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM verifications WHERE identification_id = 'idn_a'")
                .fetch_one(&mut conn)
                .await
                .expect("count");
        assert_eq!(verification, 1, "the rebuild cascaded into nothing");
        conn.close().await.expect("closed");
        rows
    };
    assert_eq!(
        rows,
        [
            ("idn_a".to_owned(), "kept@example.com".to_owned(), true),
            ("idn_b".to_owned(), "pending@example.com".to_owned(), false)
        ]
    );
    // The rule holds for the old rows: the unverified address may be added by someone else.
    let other = server.user_client("other@example.com", Some("other")).await;
    other.create_email_address("pending@example.com").await.expect("unverified elsewhere: free");
    let error = other.create_email_address("kept@example.com").await.expect_err("verified elsewhere");
    assert_eq!(error.code(), "form_identifier_exists");
}
