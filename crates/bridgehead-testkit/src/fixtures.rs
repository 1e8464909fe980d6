//! Fixtures: two enterprises in different districts of Jiaxing and one user per role,
//! so that every scope rule has an object inside and an object outside.

use bridgehead_app::auth::UserRequest;
use bridgehead_app::{Actor, App};
use bridgehead_domain::access::Role;
use bridgehead_domain::enterprise::{Enterprise, EnterpriseFields};
use bridgehead_domain::reference::OrganizationKind;

use crate::PASSWORD;

/// A valid credit code for test enterprise `n` in `region`.
pub fn credit_code(region: &str, n: usize) -> String {
    bridgehead_app::demo::demo_credit_code(region, 10_000 + n)
}

/// Minimal valid fields of an enterprise.
pub fn enterprise_fields(region: &str, n: usize, name: &str) -> EnterpriseFields {
    EnterpriseFields {
        credit_code: Some(credit_code(region, n)),
        name_zh: Some(name.to_owned()),
        region_code: Some(region.to_owned()),
        industry_code: Some("3670".to_owned()),
        ..EnterpriseFields::default()
    }
}

/// The world most access tests need.
#[derive(Debug, Clone)]
pub struct World {
    /// In Pinghu (330482).
    pub ours: Enterprise,
    /// In Nanhu (330402): outside the Pinghu officer's and the enterprise user's scope.
    pub theirs: Enterprise,
    /// Usernames by role; the district officer is Pinghu's.
    pub users: Vec<(Role, String)>,
}

impl World {
    pub fn username(&self, role: Role) -> &str {
        self.users.iter().find(|(r, _)| *r == role).map_or("", |(_, u)| u.as_str())
    }
}

pub async fn world(app: &App) -> World {
    let operator = Actor::system("test");
    let ours = app
        .create_enterprise(&operator, &enterprise_fields("330482", 1, "平湖测试企业（示例）"))
        .await
        .expect("create ours");
    let theirs = app
        .create_enterprise(&operator, &enterprise_fields("330402", 2, "南湖测试企业（示例）"))
        .await
        .expect("create theirs");
    let mut tx = app.store.begin().await.expect("begin");
    let organization = bridgehead_store::reference::ensure_organization(
        &mut tx,
        OrganizationKind::Bank,
        "测试银行（示例）",
        None,
        "330400",
    )
    .await
    .expect("organisation");
    tx.commit().await.expect("commit");
    let mut users = Vec::new();
    for role in Role::ALL {
        let username = role.as_str().replace('_', "-");
        let (region_code, enterprise_id, organization_id) = match role {
            Role::Administrator => (None, None, None),
            Role::CityAnalyst => (Some("330400".to_owned()), None, None),
            Role::DistrictOfficer => (Some("330482".to_owned()), None, None),
            Role::EnterpriseUser => (None, Some(ours.id), None),
            _ => (None, None, Some(organization.id)),
        };
        app.add_user(
            &operator,
            UserRequest {
                username: username.clone(),
                display_name: None,
                password: PASSWORD.to_owned(),
                role,
                region_code,
                enterprise_id,
                organization_id,
            },
        )
        .await
        .expect("add user");
        users.push((role, username));
    }
    World { ours, theirs, users }
}
