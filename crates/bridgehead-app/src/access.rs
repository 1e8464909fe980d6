//! Who may do what (SPEC §0, §9). Role rules decide which operations a user may attempt;
//! scope rules decide which objects it may touch. Reads and writes outside the scope
//! answer "not found", exactly like objects that do not exist.

use bridgehead_domain::access::{Role, Scope, TokenScope, User};

use crate::{AppError, AppResult};

/// The principal a use case runs for.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// Who, readably, for the audit log: `user:alice`, `cli`.
    pub label: String,
    pub role: Role,
    pub scope: Scope,
    /// `Some(Read)` when acting through a read-only API token.
    pub token_scope: Option<TokenScope>,
}

impl Actor {
    pub fn user(user: &User, token_scope: Option<TokenScope>) -> Self {
        Self {
            user_id: Some(user.id),
            label: format!("user:{}", user.username),
            role: user.role,
            scope: user.scope.clone(),
            token_scope,
        }
    }

    /// The operator at the command line: full rights, audited as `label`.
    pub fn system(label: &str) -> Self {
        Self {
            user_id: None,
            label: label.to_owned(),
            role: Role::Administrator,
            scope: Scope::Installation,
            token_scope: None,
        }
    }

    pub fn is(&self, roles: &[Role]) -> bool {
        roles.contains(&self.role)
    }

    /// Refuses unless the actor has one of `roles`.
    pub fn require(&self, roles: &[Role], what: &str) -> AppResult<()> {
        if self.is(roles) { Ok(()) } else { Err(AppError::Forbidden(format!("the role {} may not {what}", self.role))) }
    }

    /// Refuses changes through a read-only token.
    pub fn require_write(&self) -> AppResult<()> {
        if self.token_scope == Some(TokenScope::Read) {
            Err(AppError::Forbidden("this API token may only read".to_owned()))
        } else {
            Ok(())
        }
    }

    pub fn region_scope(&self) -> Option<&str> {
        match &self.scope {
            Scope::Region { region_code } => Some(region_code),
            _ => None,
        }
    }
}

/// Which enterprises an actor may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnterpriseVisibility {
    All,
    /// Those registered in this region or under it.
    Region(String),
    Only(i64),
    None,
}

pub fn enterprise_visibility(actor: &Actor) -> EnterpriseVisibility {
    match (&actor.role, &actor.scope) {
        (Role::Administrator, _) => EnterpriseVisibility::All,
        (Role::CityAnalyst | Role::DistrictOfficer, Scope::Region { region_code }) => {
            EnterpriseVisibility::Region(region_code.clone())
        }
        (Role::EnterpriseUser, Scope::Enterprise { enterprise_id }) => EnterpriseVisibility::Only(*enterprise_id),
        // Institutions see enterprises only through consented needs (matchmaking);
        // the other roles work on their own objects.
        _ => EnterpriseVisibility::None,
    }
}

/// Roles that register and edit enterprises of their region.
pub const ENTERPRISE_REGISTRARS: &[Role] = &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer];

/// Roles that edit enterprises (each within its scope).
pub const ENTERPRISE_EDITORS: &[Role] =
    &[Role::Administrator, Role::CityAnalyst, Role::DistrictOfficer, Role::EnterpriseUser];

/// Roles that may accept a credit code whose check character fails, with a reason.
pub const CREDIT_CODE_OVERRIDERS: &[Role] = ENTERPRISE_REGISTRARS;

/// Roles that read reference data: everyone signed in.
pub const ALL_ROLES: &[Role] = &Role::ALL;
