//! A browser without JavaScript, for the page tests: a cookie session, forms sent with
//! the `_csrf` field taken from the page they are on.

#![allow(dead_code)]

use bridgehead_domain::access::Role;
use bridgehead_testkit::fixtures::World;
use bridgehead_testkit::{PASSWORD, TestServer};

/// A signed-in browser.
pub struct Browser<'a> {
    pub server: &'a TestServer,
    pub client: reqwest::Client,
}

/// A page as answered: status, `Location` and HTML.
pub struct Answer {
    pub status: u16,
    pub location: String,
    pub html: String,
}

/// The value of the first `<input … name="{name}" value="…">` of a page.
pub fn input_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    html.split(&marker).nth(1).and_then(|rest| rest.split('"').next()).unwrap_or_default().to_owned()
}

impl<'a> Browser<'a> {
    pub async fn sign_in(server: &'a TestServer, username: &str) -> Self {
        let client = TestServer::client();
        let login = client.get(server.url("/login")).send().await.unwrap().text().await.unwrap();
        let mut form = vec![("username", username), ("password", PASSWORD), ("next", "/")];
        let csrf = input_value(&login, "_csrf");
        if !csrf.is_empty() {
            form.push(("_csrf", &csrf));
        }
        let signed = client.post(server.url("/login")).form(&form).send().await.unwrap();
        assert_eq!(signed.status(), 303, "sign-in of {username}");
        Self { server, client }
    }

    /// A district officer of Nanhu, the other district of the fixture world, signed in.
    pub async fn nanhu_officer(server: &'a TestServer) -> Self {
        let request = bridgehead_app::auth::UserRequest {
            username: "nanhu-officer".into(),
            display_name: None,
            password: PASSWORD.into(),
            role: Role::DistrictOfficer,
            region_code: Some("330402".into()),
            enterprise_id: None,
            organization_id: None,
        };
        server.app.add_user(&bridgehead_app::Actor::system("test"), request).await.unwrap();
        Self::sign_in(server, "nanhu-officer").await
    }

    pub async fn as_role(server: &'a TestServer, world: &World, role: Role) -> Self {
        Self::sign_in(server, world.username(role)).await
    }

    async fn answer(response: reqwest::Response) -> Answer {
        let status = response.status().as_u16();
        let location = response.headers().get("location").map(|l| l.to_str().unwrap().to_owned()).unwrap_or_default();
        Answer { status, location, html: response.text().await.unwrap() }
    }

    pub async fn get(&self, path: &str) -> Answer {
        Self::answer(self.client.get(self.server.url(path)).send().await.unwrap()).await
    }

    /// Opens `page`, takes its `_csrf` field and posts `form` to `action`.
    pub async fn submit(&self, page: &str, action: &str, form: &[(&str, &str)]) -> Answer {
        let opened = self.get(page).await;
        assert_eq!(opened.status, 200, "GET {page}: {}", opened.html);
        let csrf = input_value(&opened.html, "_csrf");
        assert!(!csrf.is_empty(), "{page} has a _csrf field");
        let mut body: Vec<(&str, &str)> = vec![("_csrf", &csrf)];
        body.extend_from_slice(form);
        Self::answer(self.client.post(self.server.url(action)).form(&body).send().await.unwrap()).await
    }
}

/// The id at the end of a redirect such as `/reports/7`.
pub fn id_of(location: &str) -> i64 {
    location.rsplit('/').next().unwrap().parse().unwrap()
}
