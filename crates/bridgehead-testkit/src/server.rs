//! The real server on port 0 with a fresh database, and HTTP clients signed in as
//! the fixture users.

use std::net::SocketAddr;

use bridgehead_app::App;
use bridgehead_web::WebSettings;
use tokio::sync::oneshot;

use crate::TestDb;

/// A running server. Stops when dropped.
pub struct TestServer {
    pub base: String,
    pub app: App,
    pub db: TestDb,
    stop: Option<oneshot::Sender<()>>,
}

impl std::fmt::Debug for TestServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestServer").field("base", &self.base).finish_non_exhaustive()
    }
}

/// A client with a cookie session.
#[derive(Debug, Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub csrf: String,
}

impl TestServer {
    pub async fn start() -> Self {
        let db = TestDb::empty().await;
        let app = db.app().await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let address: SocketAddr = listener.local_addr().expect("local address");
        let (stop, stopped) = oneshot::channel::<()>();
        let served = app.clone();
        tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.await;
            };
            let _ = bridgehead_web::launch(served, WebSettings::default(), listener, shutdown).await;
        });
        Self { base: format!("http://{address}"), app, db, stop: Some(stop) }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A client that keeps cookies and does not follow redirects.
    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("http client")
    }

    /// A client without cookies.
    pub fn http(&self) -> reqwest::Client {
        Self::client()
    }

    /// POSTs JSON with a bearer token.
    pub async fn client_post(&self, path: &str, token: &str, body: &serde_json::Value) -> reqwest::Response {
        self.http().post(self.url(path)).bearer_auth(token).json(body).send().await.expect("request")
    }

    /// GETs JSON with a bearer token.
    pub async fn get_json(&self, path: &str, token: &str) -> serde_json::Value {
        let response = self.http().get(self.url(path)).bearer_auth(token).send().await.expect("request");
        assert!(response.status().is_success(), "GET {path}: {}", response.status());
        response.json().await.expect("json")
    }

    /// Signs in through the API and returns the cookie session.
    pub async fn sign_in(&self, username: &str, password: &str) -> Session {
        let client = Self::client();
        let response = client
            .post(self.url("/api/v1/session"))
            .json(&serde_json::json!({ "username": username, "password": password }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 200, "sign-in of {username} failed");
        let body: serde_json::Value = response.json().await.expect("session body");
        Session { client, csrf: body["csrf_token"].as_str().unwrap_or_default().to_owned() }
    }

    /// An API token (read and write) for a user.
    pub async fn token(&self, username: &str) -> String {
        let operator = bridgehead_app::Actor::system("test");
        let (_, value) = self
            .app
            .create_token_for(&operator, username, "test", bridgehead_domain::access::TokenScope::ReadWrite, None)
            .await
            .expect("token");
        value
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
