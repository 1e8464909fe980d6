//! Users, sign-in, sessions and API tokens (SPEC §9).
//!
//! Passwords are hashed with Argon2id on a blocking thread. Sessions and tokens are
//! random 256-bit values handed to the client once; the database keeps only their
//! SHA-256, so a stolen database does not yield a usable session. Sign-in is limited
//! per account (lock-out after repeated failures) and per client address, both counted
//! in the database so that several server processes agree.

use base64::Engine;
use bridgehead_domain::access::{Role, Scope, TokenScope, User, validate_password, validate_username};
use bridgehead_domain::{FieldError, FieldErrors};
use bridgehead_store::audit::AuditEvent;
use bridgehead_store::users::{self, ApiToken, NewUser};
use bridgehead_store::{StoreError, instant_text, now_text};
use serde_json::json;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use crate::access::Actor;
use crate::{App, AppError, AppResult};

/// A random secret (32 bytes), URL-safe, with a prefix saying what it is.
pub fn new_secret(prefix: &str) -> String {
    let mut bytes = [0_u8; 32];
    rand::fill(&mut bytes);
    format!("{prefix}{}", base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes))
}

/// The stored form of a session or token value.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

async fn hash_password(password: String) -> AppResult<String> {
    tokio::task::spawn_blocking(move || password_auth::generate_hash(password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || password_auth::verify_password(password, &hash).is_ok()).await.unwrap_or(false)
}

/// A request to create a user.
#[derive(Debug, Clone)]
pub struct UserRequest {
    pub username: String,
    pub display_name: Option<String>,
    pub password: String,
    pub role: Role,
    pub region_code: Option<String>,
    pub enterprise_id: Option<i64>,
    pub organization_id: Option<i64>,
}

impl App {
    /// Creates a user. Administrators only; the scope must suit the role and exist.
    pub async fn add_user(&self, actor: &Actor, request: UserRequest) -> AppResult<User> {
        actor.require(&[Role::Administrator], "manage users")?;
        actor.require_write()?;
        let mut errors = FieldErrors::default();
        let username = errors.take(validate_username(&request.username));
        errors.take(validate_password(&request.password));
        let scope = match request.role.scope_kind() {
            bridgehead_domain::access::ScopeKind::Installation => Some(Scope::Installation),
            bridgehead_domain::access::ScopeKind::Region => {
                request.region_code.clone().map(|region_code| Scope::Region { region_code })
            }
            bridgehead_domain::access::ScopeKind::Enterprise => {
                request.enterprise_id.map(|enterprise_id| Scope::Enterprise { enterprise_id })
            }
            bridgehead_domain::access::ScopeKind::Organization => {
                request.organization_id.map(|organization_id| Scope::Organization { organization_id })
            }
        };
        if scope.is_none() {
            let field = match request.role.scope_kind() {
                bridgehead_domain::access::ScopeKind::Region => "region_code",
                bridgehead_domain::access::ScopeKind::Enterprise => "enterprise_id",
                _ => "organization_id",
            };
            errors.push(FieldError::new(
                field,
                "user.scope_required",
                format!("the role {} needs a {field}", request.role),
            ));
        }
        let mut tx = self.store.begin().await?;
        if let Some(scope) = &scope
            && let Some(error) = missing_scope_object(&mut tx, scope).await?
        {
            errors.push(error);
        }
        let (Some(username), Some(scope), true) = (username, scope, errors.is_empty()) else {
            return Err(AppError::Invalid(errors));
        };
        let password_hash = hash_password(request.password).await?;
        let new_user = NewUser {
            display_name: request.display_name.filter(|d| !d.trim().is_empty()).unwrap_or_else(|| username.clone()),
            username: username.clone(),
            password_hash,
            role: request.role,
            scope,
        };
        let user = match users::insert_user(&mut tx, &new_user).await {
            Err(StoreError::Duplicate { .. }) => {
                return Err(AppError::Duplicate(
                    FieldError::new("username", "username.taken", "this username is taken").with_value(&username),
                ));
            }
            other => other?,
        };
        audit(&mut tx, actor, "create", "user", &user.id.to_string(), None, Some(json!(user))).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn list_users(&self, actor: &Actor) -> AppResult<Vec<User>> {
        actor.require(&[Role::Administrator], "manage users")?;
        Ok(users::list_users(&mut *self.store.read().await?).await?)
    }

    /// Disables a user by username; its sessions and tokens end at once.
    pub async fn set_user_disabled(&self, actor: &Actor, username: &str, disabled: bool) -> AppResult<User> {
        actor.require(&[Role::Administrator], "manage users")?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let before =
            users::get_user_by_username(&mut tx, username).await?.ok_or(AppError::NotFound { what: "user" })?;
        if disabled && actor.user_id == Some(before.id) {
            return Err(AppError::Forbidden("you cannot disable your own account".to_owned()));
        }
        if disabled {
            users::disable_user(&mut tx, before.id).await?;
        } else {
            users::enable_user(&mut tx, before.id).await?;
        }
        let after = users::get_user(&mut tx, before.id).await?.ok_or(AppError::NotFound { what: "user" })?;
        let action = if disabled { "disable" } else { "enable" };
        audit(&mut tx, actor, action, "user", &after.id.to_string(), Some(json!(before)), Some(json!(after))).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets a new password (administrators for anyone, users for themselves).
    pub async fn set_password(&self, actor: &Actor, username: &str, password: &str) -> AppResult<()> {
        validate_password(password)?;
        let mut tx = self.store.begin().await?;
        let user = users::get_user_by_username(&mut tx, username).await?.ok_or(AppError::NotFound { what: "user" })?;
        if actor.role != Role::Administrator && actor.user_id != Some(user.id) {
            return Err(AppError::NotFound { what: "user" });
        }
        actor.require_write()?;
        let hash = hash_password(password.to_owned()).await?;
        users::set_password_hash(&mut tx, user.id, &hash).await?;
        // A new password ends every session signed in with the old one.
        users::delete_sessions_of(&mut tx, user.id).await?;
        audit(&mut tx, actor, "set_password", "user", &user.id.to_string(), None, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Checks a username and password from `client` (an address) and opens a session.
    pub async fn sign_in(&self, username: &str, password: &str, client: &str) -> AppResult<NewSession> {
        let username = username.trim().to_lowercase();
        let now = OffsetDateTime::now_utc();
        let window_start = instant_text(now - Duration::minutes(self.access.client_window_minutes));
        {
            let mut conn = self.store.read().await?;
            let recent = users::failed_attempts_from(&mut conn, client, &window_start).await?;
            if recent >= self.access.client_attempts_per_window {
                return Err(AppError::TooManyAttempts);
            }
        }
        let credentials = users::credentials(&mut *self.store.read().await?, &username).await?;
        let Some(credentials) = credentials else {
            // Spend the same time as a real check, so that timing does not reveal
            // which usernames exist.
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
            self.log_attempt(&username, client, false).await?;
            return Err(AppError::BadCredentials);
        };
        if let Some(until) = &credentials.locked_until
            && until.as_str() > instant_text(now).as_str()
        {
            self.log_attempt(&username, client, false).await?;
            return Err(AppError::Locked { until: until.clone() });
        }
        let valid = verify_password(password.to_owned(), credentials.password_hash.clone()).await;
        if !valid || credentials.user.disabled {
            let mut tx = self.store.begin().await?;
            if valid {
                // A disabled account says the same as a wrong password.
            } else {
                let lock_until = instant_text(now + Duration::minutes(self.access.lockout_minutes));
                users::record_failed_login(&mut tx, credentials.user.id, self.access.lockout_threshold, &lock_until)
                    .await?;
            }
            users::log_login_attempt(&mut tx, &username, client, false).await?;
            tx.commit().await?;
            return Err(AppError::BadCredentials);
        }
        let session = NewSession { token: new_secret("bhs_"), csrf_token: new_secret(""), user: credentials.user };
        let expires_at = instant_text(now + Duration::hours(self.access.session_hours));
        let mut tx = self.store.begin().await?;
        users::record_successful_login(&mut tx, session.user.id).await?;
        users::log_login_attempt(&mut tx, &username, client, true).await?;
        users::insert_session(&mut tx, &secret_hash(&session.token), session.user.id, &session.csrf_token, &expires_at)
            .await?;
        users::prune_login_attempts(&mut tx, &instant_text(now - Duration::days(1))).await?;
        users::delete_expired_sessions(&mut tx, &instant_text(now)).await?;
        tx.commit().await?;
        Ok(session)
    }

    async fn log_attempt(&self, username: &str, client: &str, succeeded: bool) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        users::log_login_attempt(&mut tx, username, client, succeeded).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The live session behind a cookie value.
    pub async fn session(&self, token: &str) -> AppResult<Option<users::SessionRecord>> {
        Ok(users::find_session(&mut *self.store.read().await?, &secret_hash(token), &now_text()).await?)
    }

    pub async fn sign_out(&self, token: &str) -> AppResult<()> {
        let mut tx = self.store.begin().await?;
        users::delete_session(&mut tx, &secret_hash(token)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The user behind an API token value, and the actor it acts as.
    pub async fn token_actor(&self, token: &str) -> AppResult<Option<(User, Actor)>> {
        let found = users::find_token(&mut *self.store.read().await?, &secret_hash(token), &now_text()).await?;
        Ok(found.map(|(user, token)| {
            let actor = Actor::user(&user, Some(token.scope));
            (user, actor)
        }))
    }

    /// Issues an API token for the actor's own user. The value is shown only now.
    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        scope: TokenScope,
        valid_days: Option<i64>,
    ) -> AppResult<(ApiToken, String)> {
        let user_id = actor.user_id.ok_or_else(|| AppError::Forbidden("only users hold API tokens".to_owned()))?;
        actor.require_write()?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(AppError::invalid("name", "token.name", "a token needs a name of 1 to 100 characters"));
        }
        if let Some(days) = valid_days
            && !(1..=3650).contains(&days)
        {
            return Err(AppError::invalid("valid_days", "token.validity", "between 1 and 3650 days"));
        }
        let expires_at = valid_days.map(|days| instant_text(OffsetDateTime::now_utc() + Duration::days(days)));
        let value = new_secret("bht_");
        let mut tx = self.store.begin().await?;
        let token =
            users::insert_token(&mut tx, user_id, name, &secret_hash(&value), scope, expires_at.as_deref()).await?;
        audit(&mut tx, actor, "create", "api_token", &token.id.to_string(), None, Some(json!(token))).await?;
        tx.commit().await?;
        Ok((token, value))
    }

    /// Issues a token for a named user (the command line's way to equip a machine client).
    pub async fn create_token_for(
        &self,
        actor: &Actor,
        username: &str,
        name: &str,
        scope: TokenScope,
        valid_days: Option<i64>,
    ) -> AppResult<(ApiToken, String)> {
        actor.require(&[Role::Administrator], "issue tokens for other users")?;
        let user = users::get_user_by_username(&mut *self.store.read().await?, username)
            .await?
            .ok_or(AppError::NotFound { what: "user" })?;
        let mut as_user = Actor::user(&user, None);
        as_user.label = format!("{} for {}", actor.label, as_user.label);
        self.create_token(&as_user, name, scope, valid_days).await
    }

    pub async fn list_tokens(&self, actor: &Actor) -> AppResult<Vec<ApiToken>> {
        let user_id = actor.user_id.ok_or(AppError::NotFound { what: "user" })?;
        Ok(users::list_tokens(&mut *self.store.read().await?, user_id).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, token_id: i64) -> AppResult<ApiToken> {
        let user_id = actor.user_id.ok_or(AppError::NotFound { what: "API token" })?;
        actor.require_write()?;
        let mut tx = self.store.begin().await?;
        let token = match users::revoke_token(&mut tx, user_id, token_id).await {
            Err(StoreError::NotFound) => return Err(AppError::NotFound { what: "API token" }),
            other => other?,
        };
        audit(&mut tx, actor, "revoke", "api_token", &token.id.to_string(), None, Some(json!(token))).await?;
        tx.commit().await?;
        Ok(token)
    }
}

/// The error for a scope that names a region, enterprise or organisation that does not exist.
async fn missing_scope_object(conn: &mut bridgehead_store::Conn, scope: &Scope) -> AppResult<Option<FieldError>> {
    let missing = |field: &str, code: &'static str, message: &str, value: String| {
        Some(FieldError::new(field, code, message).with_value(value))
    };
    Ok(match scope {
        Scope::Installation => None,
        Scope::Region { region_code } => match bridgehead_store::reference::get_region(conn, region_code).await? {
            Some(_) => None,
            None => missing("region_code", "region.unknown", "no such region", region_code.clone()),
        },
        Scope::Enterprise { enterprise_id } => match bridgehead_store::enterprises::get(conn, *enterprise_id).await? {
            Some(_) => None,
            None => missing("enterprise_id", "enterprise.unknown", "no such enterprise", enterprise_id.to_string()),
        },
        Scope::Organization { organization_id } => {
            match bridgehead_store::reference::get_organization(conn, *organization_id).await? {
                Some(_) => None,
                None => missing(
                    "organization_id",
                    "organization.unknown",
                    "no such organisation",
                    organization_id.to_string(),
                ),
            }
        }
    })
}

/// A fresh session: the cookie value and CSRF token are returned once.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub csrf_token: String,
    pub user: User,
}

/// An Argon2id hash of a random password nobody knows, checked when a username does
/// not exist.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1mqmLd4b4kqAPn0d3DaCWAdiNnFM2tXrTYSB1eoTN6E";

/// Appends an audit record for `actor`.
pub(crate) async fn audit(
    conn: &mut bridgehead_store::Conn,
    actor: &Actor,
    action: &str,
    entity: &str,
    key: &str,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AppResult<i64> {
    let event = AuditEvent {
        actor_user_id: actor.user_id,
        actor: actor.label.clone(),
        action: action.to_owned(),
        entity: entity.to_owned(),
        entity_key: key.to_owned(),
        before,
        after,
    };
    Ok(bridgehead_store::audit::append(conn, &event).await?)
}
