//! Helpers shared by the test modules.

#![allow(dead_code)]

use bridgehead_app::{Actor, App, AppError};
use bridgehead_domain::access::{Role, User};
use bridgehead_domain::enterprise::{Enterprise, EnterpriseFields};
use bridgehead_store::audit::ChainHead;
use bridgehead_store::enterprises::EnterpriseFilter;
use bridgehead_testkit::TestDb;
use bridgehead_testkit::fixtures::World;

/// A fresh database with reference data, and the app on it.
pub async fn setup() -> (TestDb, App) {
    let db = TestDb::empty().await;
    let app = db.app().await;
    (db, app)
}

/// The operator at the command line (an administrator).
pub fn admin() -> Actor {
    Actor::system("test")
}

pub async fn user(app: &App, username: &str) -> User {
    let mut conn = app.store.read().await.unwrap();
    bridgehead_store::users::get_user_by_username(&mut conn, username)
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("no user {username}"))
}

/// The actor of the world's user with `role`, signed in (no token).
pub async fn actor(app: &App, world: &World, role: Role) -> Actor {
    Actor::user(&user(app, world.username(role)).await, None)
}

pub async fn head(app: &App) -> ChainHead {
    let mut conn = app.store.read().await.unwrap();
    bridgehead_store::audit::head(&mut conn).await.unwrap()
}

pub async fn enterprise_count(app: &App) -> i64 {
    let mut conn = app.store.read().await.unwrap();
    bridgehead_store::enterprises::count(&mut conn).await.unwrap()
}

/// Every enterprise, by id, straight from the store (no scope applied).
pub async fn all_enterprises(app: &App) -> Vec<Enterprise> {
    let mut conn = app.store.read().await.unwrap();
    let filter = EnterpriseFilter { limit: 100_000, ..EnterpriseFilter::default() };
    let (mut list, _) = bridgehead_store::enterprises::list(&mut conn, &filter).await.unwrap();
    list.sort_by_key(|e| e.id);
    list
}

pub async fn get_enterprise(app: &App, id: i64) -> Enterprise {
    let mut conn = app.store.read().await.unwrap();
    bridgehead_store::enterprises::get(&mut conn, id).await.unwrap().unwrap()
}

/// Runs one statement behind the application's back.
pub async fn exec(app: &App, sql: &str) -> Result<u64, sqlx::Error> {
    let result = sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(app.store.pool()).await?;
    Ok(result.rows_affected())
}

/// A page filter with a limit.
pub fn page(limit: i64, offset: i64) -> EnterpriseFilter {
    EnterpriseFilter { limit, offset, ..EnterpriseFilter::default() }
}

/// Fields of a fully described enterprise `n` (every column filled).
pub fn full_fields(region: &str, n: usize, name: &str) -> EnterpriseFields {
    EnterpriseFields {
        name_en: Some(format!("Example Co. {n} (illustrative)")),
        address: Some(format!("示例路{n}号")),
        registered_capital: Some(format!("{}.50", 1_000_000 + n)),
        registered_capital_currency: Some("CNY".to_owned()),
        established_on: Some("2015-03-17".to_owned()),
        ownership: Some("private".to_owned()),
        size: Some("medium".to_owned()),
        listed: Some("true".to_owned()),
        contact_name: Some("张三".to_owned()),
        contact_phone: Some("+86 573 8500 0000".to_owned()),
        contact_email: Some(format!("contact{n}@example.com")),
        tags: Some("high_tech,little_giant".to_owned()),
        ..bridgehead_testkit::fixtures::enterprise_fields(region, n, name)
    }
}

/// The credit code with its check character replaced by a wrong one; returns the code
/// and the character that would be right.
pub fn with_wrong_check(code: &str) -> (String, char) {
    let right = code.chars().last().unwrap();
    let wrong = if right == '0' { '1' } else { '0' };
    (format!("{}{wrong}", &code[..17]), right)
}

/// The field errors of an `Invalid`, or a panic naming what came instead.
pub fn invalid<T: std::fmt::Debug>(result: Result<T, AppError>) -> Vec<bridgehead_domain::FieldError> {
    match result {
        Err(AppError::Invalid(errors)) => errors.0,
        other => panic!("expected AppError::Invalid, got {other:?}"),
    }
}

/// Fields of errors, for assertions.
pub fn fields_of(errors: &[bridgehead_domain::FieldError]) -> Vec<&str> {
    errors.iter().map(|e| e.field.as_str()).collect()
}
