//! Users, sessions, API tokens and login attempts (SPEC §9). Secrets are stored only as
//! hashes: Argon2id for passwords (computed by the app), SHA-256 for session and token
//! values (which are long random strings, so a fast hash suffices).

use bridgehead_domain::access::{Role, Scope, TokenScope, User};
use sqlx::Row;
use sqlx::any::AnyRow;

use crate::sql::Value;
use crate::{Conn, StoreError, StoreResult, now_text};

fn user_from_row(row: &AnyRow) -> StoreResult<User> {
    let role_text: String = row.try_get("role")?;
    let role = Role::parse(&role_text).ok_or_else(|| StoreError::Corrupt(format!("role '{role_text}'")))?;
    let region: Option<String> = row.try_get("region_code")?;
    let enterprise: Option<i64> = row.try_get("enterprise_id")?;
    let organization: Option<i64> = row.try_get("organization_id")?;
    let scope = match (region, enterprise, organization) {
        (Some(region_code), None, None) => Scope::Region { region_code },
        (None, Some(enterprise_id), None) => Scope::Enterprise { enterprise_id },
        (None, None, Some(organization_id)) => Scope::Organization { organization_id },
        _ => Scope::Installation,
    };
    let disabled_at: Option<String> = row.try_get("disabled_at")?;
    Ok(User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role,
        scope,
        disabled: disabled_at.is_some(),
        created_at: row.try_get("created_at")?,
    })
}

/// A new user; the password is already hashed.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub role: Role,
    pub scope: Scope,
}

pub async fn insert_user(conn: &mut Conn, user: &NewUser) -> StoreResult<User> {
    let (region, enterprise, organization) = match &user.scope {
        Scope::Installation => (Value::Null, Value::NullInt, Value::NullInt),
        Scope::Region { region_code } => (Value::Text(region_code.clone()), Value::NullInt, Value::NullInt),
        Scope::Enterprise { enterprise_id } => (Value::Null, Value::Int(*enterprise_id), Value::NullInt),
        Scope::Organization { organization_id } => (Value::Null, Value::NullInt, Value::Int(*organization_id)),
    };
    let mut sql = crate::sql::SqlBuilder::new(
        "INSERT INTO users (username, display_name, password_hash, role, region_code, enterprise_id, organization_id, \
         created_at) VALUES (",
    );
    sql.bind_text(user.username.clone())
        .push(", ")
        .bind_text(user.display_name.clone())
        .push(", ")
        .bind_text(user.password_hash.clone())
        .push(", ")
        .bind_text(user.role.as_str())
        .push(", ")
        .bind(region)
        .push(", ")
        .bind(enterprise)
        .push(", ")
        .bind(organization)
        .push(", ")
        .bind_text(now_text())
        .push(") RETURNING *");
    let row = sql.build().fetch_one(&mut *conn).await?;
    user_from_row(&row)
}

pub async fn get_user(conn: &mut Conn, id: i64) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT * FROM users WHERE id = $1").bind(id).fetch_optional(&mut *conn).await?;
    row.as_ref().map(user_from_row).transpose()
}

pub async fn get_user_by_username(conn: &mut Conn, username: &str) -> StoreResult<Option<User>> {
    let row = sqlx::query("SELECT * FROM users WHERE username = $1").bind(username).fetch_optional(&mut *conn).await?;
    row.as_ref().map(user_from_row).transpose()
}

/// What a sign-in needs to know about a user.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub user: User,
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
}

pub async fn credentials(conn: &mut Conn, username: &str) -> StoreResult<Option<Credentials>> {
    let Some(row) =
        sqlx::query("SELECT * FROM users WHERE username = $1").bind(username).fetch_optional(&mut *conn).await?
    else {
        return Ok(None);
    };
    Ok(Some(Credentials {
        user: user_from_row(&row)?,
        password_hash: row.try_get("password_hash")?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: row.try_get("locked_until")?,
    }))
}

pub async fn list_users(conn: &mut Conn) -> StoreResult<Vec<User>> {
    let rows = sqlx::query("SELECT * FROM users ORDER BY username").fetch_all(&mut *conn).await?;
    rows.iter().map(user_from_row).collect()
}

/// Disables a user and ends its sessions and tokens at once.
pub async fn disable_user(conn: &mut Conn, id: i64) -> StoreResult<()> {
    let now = now_text();
    let updated = sqlx::query("UPDATE users SET disabled_at = COALESCE(disabled_at, $1) WHERE id = $2")
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    if updated.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *conn).await?;
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(&now)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn enable_user(conn: &mut Conn, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE users SET disabled_at = NULL, failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

pub async fn set_password_hash(conn: &mut Conn, id: i64, password_hash: &str) -> StoreResult<()> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Records a failed sign-in; locks the account until `lock_until` once `failed_logins`
/// reaches `threshold`. Returns the new failure count.
pub async fn record_failed_login(conn: &mut Conn, id: i64, threshold: i64, lock_until: &str) -> StoreResult<i64> {
    let row = sqlx::query("UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    let failures: i64 = row.try_get("failed_logins")?;
    if failures >= threshold {
        sqlx::query("UPDATE users SET locked_until = $1, failed_logins = 0 WHERE id = $2")
            .bind(lock_until)
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    Ok(failures)
}

pub async fn record_successful_login(conn: &mut Conn, id: i64) -> StoreResult<()> {
    sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Logs a sign-in attempt by username and client (for rate limiting across processes).
pub async fn log_login_attempt(conn: &mut Conn, username: &str, client: &str, succeeded: bool) -> StoreResult<()> {
    sqlx::query("INSERT INTO login_attempts (username, client, at, succeeded) VALUES ($1, $2, $3, $4)")
        .bind(username)
        .bind(client)
        .bind(now_text())
        .bind(i64::from(succeeded))
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Failed attempts from `client` since `since`.
pub async fn failed_attempts_from(conn: &mut Conn, client: &str, since: &str) -> StoreResult<i64> {
    Ok(sqlx::query("SELECT COUNT(*) AS n FROM login_attempts WHERE client = $1 AND at >= $2 AND succeeded = 0")
        .bind(client)
        .bind(since)
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?)
}

/// Forgets attempts older than `before`.
pub async fn prune_login_attempts(conn: &mut Conn, before: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM login_attempts WHERE at < $1").bind(before).execute(&mut *conn).await?;
    Ok(())
}

/// A signed-in session as the web layer sees it.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub user: User,
    pub csrf_token: String,
    pub expires_at: String,
}

pub async fn insert_session(
    conn: &mut Conn,
    token_hash: &str,
    user_id: i64,
    csrf_token: &str,
    expires_at: &str,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now_text())
    .bind(expires_at)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The live session with this hash, if it has not expired and its user is enabled.
pub async fn find_session(conn: &mut Conn, token_hash: &str, now: &str) -> StoreResult<Option<SessionRecord>> {
    let Some(row) = sqlx::query(
        "SELECT u.*, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    Ok(Some(SessionRecord {
        user: user_from_row(&row)?,
        csrf_token: row.try_get("csrf_token")?,
        expires_at: row.try_get("expires_at")?,
    }))
}

pub async fn delete_session(conn: &mut Conn, token_hash: &str) -> StoreResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *conn).await?;
    Ok(())
}

pub async fn delete_sessions_of(conn: &mut Conn, user_id: i64) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *conn).await?.rows_affected())
}

pub async fn delete_expired_sessions(conn: &mut Conn, now: &str) -> StoreResult<u64> {
    Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut *conn).await?.rows_affected())
}

/// An API token as listed to its owner (never with its value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiToken {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub scope: TokenScope,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

fn token_from_row(row: &AnyRow) -> StoreResult<ApiToken> {
    let scope: String = row.try_get("scope")?;
    Ok(ApiToken {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        name: row.try_get("name")?,
        scope: TokenScope::parse(&scope).ok_or_else(|| StoreError::Corrupt(format!("token scope '{scope}'")))?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

pub async fn insert_token(
    conn: &mut Conn,
    user_id: i64,
    name: &str,
    token_hash: &str,
    scope: TokenScope,
    expires_at: Option<&str>,
) -> StoreResult<ApiToken> {
    let row = sqlx::query(
        "INSERT INTO api_tokens (user_id, name, token_hash, scope, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *",
    )
    .bind(user_id)
    .bind(name)
    .bind(token_hash)
    .bind(scope.as_str())
    .bind(now_text())
    .bind(expires_at)
    .fetch_one(&mut *conn)
    .await?;
    token_from_row(&row)
}

/// The user behind a live token, with the token's scope.
pub async fn find_token(conn: &mut Conn, token_hash: &str, now: &str) -> StoreResult<Option<(User, ApiToken)>> {
    let Some(row) = sqlx::query(
        "SELECT t.id AS token_id, u.* FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2) \
         AND u.disabled_at IS NULL",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *conn)
    .await?
    else {
        return Ok(None);
    };
    let user = user_from_row(&row)?;
    let token_id: i64 = row.try_get("token_id")?;
    let token = sqlx::query("SELECT * FROM api_tokens WHERE id = $1").bind(token_id).fetch_one(&mut *conn).await?;
    Ok(Some((user, token_from_row(&token)?)))
}

pub async fn list_tokens(conn: &mut Conn, user_id: i64) -> StoreResult<Vec<ApiToken>> {
    let rows = sqlx::query("SELECT * FROM api_tokens WHERE user_id = $1 ORDER BY id")
        .bind(user_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(token_from_row).collect()
}

/// Revokes one of a user's tokens; `NotFound` if the user has no such token.
pub async fn revoke_token(conn: &mut Conn, user_id: i64, token_id: i64) -> StoreResult<ApiToken> {
    let row = sqlx::query(
        "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2 AND user_id = $3 RETURNING *",
    )
    .bind(now_text())
    .bind(token_id)
    .bind(user_id)
    .fetch_optional(&mut *conn)
    .await?;
    row.as_ref().map(token_from_row).transpose()?.ok_or(StoreError::NotFound)
}
