//! Roles and scopes (SPEC §0). A user has exactly one role; its scope says which part
//! of the world the role applies to. Whether a user may reach a particular object is
//! decided in `bridgehead-app::access` from these facts.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    CityAnalyst,
    DistrictOfficer,
    EnterpriseUser,
    InstitutionUser,
    FundManager,
    ServiceProvider,
    ClearingParticipant,
}

impl Role {
    pub const ALL: [Role; 8] = [
        Role::Administrator,
        Role::CityAnalyst,
        Role::DistrictOfficer,
        Role::EnterpriseUser,
        Role::InstitutionUser,
        Role::FundManager,
        Role::ServiceProvider,
        Role::ClearingParticipant,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Administrator => "administrator",
            Self::CityAnalyst => "city_analyst",
            Self::DistrictOfficer => "district_officer",
            Self::EnterpriseUser => "enterprise_user",
            Self::InstitutionUser => "institution_user",
            Self::FundManager => "fund_manager",
            Self::ServiceProvider => "service_provider",
            Self::ClearingParticipant => "clearing_participant",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|role| role.as_str() == input.trim())
    }

    /// What the role's scope must name.
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Self::Administrator => ScopeKind::Installation,
            Self::CityAnalyst | Self::DistrictOfficer => ScopeKind::Region,
            Self::EnterpriseUser => ScopeKind::Enterprise,
            Self::InstitutionUser | Self::FundManager | Self::ServiceProvider | Self::ClearingParticipant => {
                ScopeKind::Organization
            }
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Installation,
    Region,
    Enterprise,
    Organization,
}

/// The part of the world a user acts on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Scope {
    Installation,
    Region { region_code: String },
    Enterprise { enterprise_id: i64 },
    Organization { organization_id: i64 },
}

/// API token scopes: what a machine client may do on its user's behalf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    ReadWrite,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::ReadWrite => "read_write",
        }
    }

    pub fn parse(input: &str) -> Option<Self> {
        match input {
            "read" => Some(Self::Read),
            "read_write" => Some(Self::ReadWrite),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}

/// A user account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub disabled: bool,
    pub created_at: String,
}

/// Usernames: 3–64 characters of letters, digits, `.`, `_`, `-`, `@`.
pub fn validate_username(input: &str) -> Result<String, crate::FieldError> {
    let name = input.trim().to_lowercase();
    let valid_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if (3..=64).contains(&name.len()) && valid_chars {
        Ok(name)
    } else {
        Err(crate::FieldError::new(
            "username",
            "username.format",
            "3 to 64 characters: letters, digits, '.', '_', '-' or '@'",
        )
        .with_value(input))
    }
}

/// Passwords: at least 10 characters, at most 256.
pub fn validate_password(input: &str) -> Result<(), crate::FieldError> {
    let count = input.chars().count();
    if (10..=256).contains(&count) {
        Ok(())
    } else {
        Err(crate::FieldError::new("password", "password.length", "a password has 10 to 256 characters"))
    }
}
