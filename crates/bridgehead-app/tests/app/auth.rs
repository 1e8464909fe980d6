//! Signing in, lockout, rate limiting, sessions and API tokens.

use bridgehead_app::{Actor, AppError};
use bridgehead_domain::access::{Role, TokenScope};
use bridgehead_testkit::{PASSWORD, fixtures};
use sqlx::Row;

use crate::common::{actor, admin, exec, setup, user};

#[tokio::test]
async fn signing_in_with_the_right_password_opens_a_session() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let name = world.username(Role::DistrictOfficer);
    // Usernames are not case-sensitive.
    let session = app.sign_in(&name.to_uppercase(), PASSWORD, "192.0.2.1").await.unwrap();
    assert_eq!(session.user.username, name);
    assert!(!session.token.is_empty() && !session.csrf_token.is_empty());
    let found = app.session(&session.token).await.unwrap().expect("the session is live");
    assert_eq!(found.user.username, name);
    assert_eq!(found.user.role, Role::DistrictOfficer);
    assert_eq!(found.csrf_token, session.csrf_token);
    assert!(app.session("bhs_not-a-session").await.unwrap().is_none());

    // A second sign-in is a second session; signing out ends only that one.
    let other = app.sign_in(name, PASSWORD, "192.0.2.1").await.unwrap();
    assert_ne!(other.token, session.token);
    app.sign_out(&session.token).await.unwrap();
    assert!(app.session(&session.token).await.unwrap().is_none());
    assert!(app.session(&other.token).await.unwrap().is_some());
}

#[tokio::test]
async fn a_wrong_password_or_unknown_user_is_bad_credentials() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let name = world.username(Role::CityAnalyst);
    assert!(matches!(app.sign_in(name, "not the password", "192.0.2.2").await, Err(AppError::BadCredentials)));
    assert!(matches!(app.sign_in("nobody-here", PASSWORD, "192.0.2.2").await, Err(AppError::BadCredentials)));
    // A failure or two does not lock: the right password still works and resets the count.
    app.sign_in(name, PASSWORD, "192.0.2.2").await.unwrap();
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_for_the_right_password() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let name = world.username(Role::EnterpriseUser);
    for attempt in 1..=5 {
        // From different addresses, so that only the account count matters.
        let result = app.sign_in(name, "wrong password!", &format!("198.51.100.{attempt}")).await;
        assert!(matches!(result, Err(AppError::BadCredentials)), "attempt {attempt}: {result:?}");
    }
    match app.sign_in(name, PASSWORD, "198.51.100.99").await {
        Err(AppError::Locked { until }) => assert!(until > bridgehead_store::now_text(), "{until}"),
        other => panic!("expected Locked, got {other:?}"),
    }
    // Other accounts are not affected.
    app.sign_in(world.username(Role::CityAnalyst), PASSWORD, "198.51.100.99").await.unwrap();
    // Enabling the account again (an administrator's unlock) clears the lock.
    app.set_user_disabled(&admin(), name, false).await.unwrap();
    app.sign_in(name, PASSWORD, "198.51.100.99").await.unwrap();
}

#[tokio::test]
async fn twenty_failures_from_one_address_refuse_that_address() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let client = "203.0.113.7";
    for attempt in 0..20 {
        // Unknown usernames, so no account is locked on the way.
        let result = app.sign_in(&format!("guess-{attempt}"), "whatever it is", client).await;
        assert!(matches!(result, Err(AppError::BadCredentials)), "attempt {attempt}: {result:?}");
    }
    let name = world.username(Role::Administrator);
    assert!(matches!(app.sign_in(name, PASSWORD, client).await, Err(AppError::TooManyAttempts)));
    // Another address is not refused.
    app.sign_in(name, PASSWORD, "203.0.113.8").await.unwrap();
}

#[tokio::test]
async fn disabling_a_user_ends_its_sessions_and_tokens_at_once() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let name = world.username(Role::DistrictOfficer);
    let session = app.sign_in(name, PASSWORD, "192.0.2.10").await.unwrap();
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let (_, token) = app.create_token(&officer, "script", TokenScope::ReadWrite, None).await.unwrap();
    assert!(app.token_actor(&token).await.unwrap().is_some());

    let disabled = app.set_user_disabled(&admin(), name, true).await.unwrap();
    assert!(disabled.disabled);
    assert!(app.session(&session.token).await.unwrap().is_none(), "the session outlived the account");
    assert!(app.token_actor(&token).await.unwrap().is_none(), "the token outlived the account");
    assert!(matches!(app.sign_in(name, PASSWORD, "192.0.2.10").await, Err(AppError::BadCredentials)));

    // Enabled again, the user signs in afresh; the old token stays revoked.
    app.set_user_disabled(&admin(), name, false).await.unwrap();
    app.sign_in(name, PASSWORD, "192.0.2.10").await.unwrap();
    assert!(app.token_actor(&token).await.unwrap().is_none());
    // Administrators cannot lock themselves out.
    let me = actor(&app, &world, Role::Administrator).await;
    assert!(matches!(
        app.set_user_disabled(&me, world.username(Role::Administrator), true).await,
        Err(AppError::Forbidden(_))
    ));
}

#[tokio::test]
async fn api_tokens_act_for_their_user_until_revoked_or_expired() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let officer = actor(&app, &world, Role::DistrictOfficer).await;
    let (read_token, read_value) = app.create_token(&officer, "dashboard", TokenScope::Read, Some(30)).await.unwrap();
    assert!(read_value.starts_with("bht_"));
    assert!(read_token.expires_at.is_some());
    let (write_token, write_value) = app.create_token(&officer, "sync", TokenScope::ReadWrite, None).await.unwrap();

    let (user, token_actor) = app.token_actor(&read_value).await.unwrap().expect("a live token");
    assert_eq!(user.username, world.username(Role::DistrictOfficer));
    assert_eq!(token_actor.token_scope, Some(TokenScope::Read));
    assert_eq!(token_actor.role, Role::DistrictOfficer);
    // A read token reads and cannot write.
    assert_eq!(app.enterprise(&token_actor, world.ours.id).await.unwrap().enterprise.id, world.ours.id);
    let fields = world.ours.record.to_fields();
    assert!(matches!(
        app.update_enterprise(&token_actor, world.ours.id, None, &fields).await,
        Err(AppError::Forbidden(_))
    ));
    // Nor can it mint itself a stronger token.
    assert!(matches!(
        app.create_token(&token_actor, "escalate", TokenScope::ReadWrite, None).await,
        Err(AppError::Forbidden(_))
    ));
    let (_, write_actor) = app.token_actor(&write_value).await.unwrap().unwrap();
    assert_eq!(write_actor.token_scope, Some(TokenScope::ReadWrite));

    assert_eq!(app.list_tokens(&officer).await.unwrap().len(), 2);
    let revoked = app.revoke_token(&officer, read_token.id).await.unwrap();
    assert!(revoked.revoked_at.is_some());
    assert!(app.token_actor(&read_value).await.unwrap().is_none(), "a revoked token still works");
    assert!(app.token_actor(&write_value).await.unwrap().is_some());
    // Another user cannot revoke someone else's token.
    let analyst = actor(&app, &world, Role::CityAnalyst).await;
    assert!(matches!(app.revoke_token(&analyst, write_token.id).await, Err(AppError::NotFound { .. })));
    assert!(app.token_actor(&write_value).await.unwrap().is_some());

    // An expired token resolves to nothing.
    exec(
        &app,
        &format!("UPDATE api_tokens SET expires_at = '2001-01-01T00:00:00.000000Z' WHERE id = {}", write_token.id),
    )
    .await
    .unwrap();
    assert!(app.token_actor(&write_value).await.unwrap().is_none(), "an expired token still works");
    assert!(app.token_actor("bht_unknown").await.unwrap().is_none());
    // The command line has no user of its own to hold tokens.
    assert!(matches!(
        app.create_token(&Actor::system("cli"), "x", TokenScope::Read, None).await,
        Err(AppError::Forbidden(_))
    ));
    let (_, issued) = app
        .create_token_for(&admin(), world.username(Role::FundManager), "fund feed", TokenScope::Read, Some(1))
        .await
        .unwrap();
    let (holder, _) = app.token_actor(&issued).await.unwrap().unwrap();
    assert_eq!(holder.role, Role::FundManager);
}

#[tokio::test]
async fn an_expired_session_is_not_found() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let session = app.sign_in(world.username(Role::CityAnalyst), PASSWORD, "192.0.2.20").await.unwrap();
    exec(&app, "UPDATE sessions SET expires_at = '2001-01-01T00:00:00.000000Z'").await.unwrap();
    assert!(app.session(&session.token).await.unwrap().is_none());
}

/// Every text value of every row of `table`.
async fn text_values(app: &bridgehead_app::App, table: &str, columns: &[&str]) -> Vec<String> {
    let sql = format!("SELECT {} FROM {table}", columns.join(", "));
    let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(app.store.pool()).await.unwrap();
    let mut values = Vec::new();
    for row in rows {
        for column in columns {
            if let Some(value) = row.try_get::<Option<String>, _>(*column).unwrap() {
                values.push(value);
            }
        }
    }
    values
}

#[tokio::test]
async fn sessions_tokens_and_passwords_are_stored_only_as_hashes() {
    let (_db, app) = setup().await;
    let world = fixtures::world(&app).await;
    let name = world.username(Role::ServiceProvider);
    let session = app.sign_in(name, PASSWORD, "192.0.2.30").await.unwrap();
    let provider = Actor::user(&user(&app, name).await, None);
    let (_, token) = app.create_token(&provider, "feed", TokenScope::Read, None).await.unwrap();

    let sessions = text_values(&app, "sessions", &["token_hash", "csrf_token", "created_at", "expires_at"]).await;
    let tokens = text_values(&app, "api_tokens", &["name", "token_hash", "scope", "created_at", "expires_at"]).await;
    let users = text_values(&app, "users", &["username", "display_name", "password_hash"]).await;
    let audit = text_values(&app, "audit_log", &["actor", "entity_key", "before_json", "after_json"]).await;
    assert_eq!(sessions.len(), 4, "one session row expected");
    assert!(tokens.len() >= 4, "one token row expected");
    for (what, values) in [("sessions", &sessions), ("api_tokens", &tokens), ("users", &users), ("audit_log", &audit)] {
        for value in values {
            assert!(!value.contains(&session.token), "{what} holds the session value");
            assert!(!value.contains(&token), "{what} holds the token value");
            assert!(!value.contains(PASSWORD), "{what} holds a password");
        }
    }
    // What is stored is the SHA-256 of the value.
    let session_hash = bridgehead_app::auth::secret_hash(&session.token);
    let token_hash = bridgehead_app::auth::secret_hash(&token);
    assert_eq!(session_hash.len(), 64);
    assert!(sessions.contains(&session_hash), "the session is not stored under its hash");
    assert!(tokens.contains(&token_hash), "the token is not stored under its hash");
    assert!(users.iter().any(|v| v.starts_with("$argon2id$")));
}
