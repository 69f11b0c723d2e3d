use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::{json, Value};

async fn tokens(t: TestApp) {
    let tok = t.token("promoter").await;
    // the token works
    t.get_json(&tok, "/api/v1/leads", StatusCode::OK).await;
    // no token, a wrong token, a malformed header
    let r = t.client.get(t.url("/api/v1/leads")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "unauthorized");
    assert_eq!(
        t.get("not-a-token", "/api/v1/leads").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let r = t
        .client
        .get(t.url("/api/v1/leads"))
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // wrong password and unknown user look the same
    for (u, p) in [("promoter", "wrong"), ("nobody", "demo")] {
        let r = t
            .client
            .post(t.url("/api/v1/auth/token"))
            .json(&json!({"username": u, "password": p}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{u}");
    }
    // unknown fields in the body are refused, naming the field
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "a", "password": "b", "otp": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["field"], "otp");
    // a web session cookie is not an API token
    let web = web_login(&t, "promoter").await;
    assert_eq!(
        t.get(&web, "/api/v1/leads").await.status(),
        StatusCode::UNAUTHORIZED
    );
}
both!(login_and_tokens, tokens);

async fn rate_limit(t: TestApp) {
    for _ in 0..5 {
        let r = t
            .client
            .post(t.url("/api/v1/auth/token"))
            .json(&json!({"username": "leader", "password": "x"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    // the sixth try is refused even with the right password
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "leader", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("15分钟"));
    // other users are not affected
    t.token("promoter").await;
    // the sweep keeps recent attempts, so the limit still holds after it
    fenglai_app::auth::sweep(&t.app).await.unwrap();
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "leader", "password": "demo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
}
both!(login_attempts_are_rate_limited, rate_limit);

/// Logs in through the HTML form and returns the session token.
pub async fn web_login(t: &TestApp, username: &str) -> String {
    let r = t.client.get(t.url("/login")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let set = r
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    let csrf = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let html = r.text().await.unwrap();
    assert!(html.contains("登录"));
    let r = t
        .client
        .post(t.url("/login"))
        .header("cookie", format!("fenglai_login_csrf={csrf}"))
        .form(&[
            ("username", username),
            ("password", "demo"),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "web login {username}");
    let cookie = r.headers().get("set-cookie").unwrap().to_str().unwrap();
    cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

async fn web_session(t: TestApp) {
    // without the login form's CSRF cookie, the form is refused
    let r = t
        .client
        .post(t.url("/login"))
        .form(&[("username", "leader"), ("password", "demo"), ("csrf", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // pages redirect to /login without a session
    let r = t.client.get(t.url("/")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()["location"], "/login");
    let s = web_login(&t, "leader").await;
    let r = t
        .client
        .get(t.url("/"))
        .header("cookie", format!("fenglai_session={s}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let html = r.text().await.unwrap();
    assert!(html.contains("策划对接项目"), "{html}");
    // logout needs the session's CSRF token; afterwards the session is gone
    let r = t
        .client
        .post(t.url("/logout"))
        .header("cookie", format!("fenglai_session={s}"))
        .form(&[("csrf", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let r = t
        .client
        .post(t.url("/logout"))
        .header("cookie", format!("fenglai_session={s}"))
        .form(&[("csrf", csrf)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = t
        .client
        .get(t.url("/"))
        .header("cookie", format!("fenglai_session={s}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
both!(web_login_session_and_logout, web_session);

async fn health_and_openapi(t: TestApp) {
    let r = t.client.get(t.url("/healthz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    assert!(r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("default-src 'self'"));
    let doc: Value = t
        .client
        .get(t.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for p in [
        "/api/v1/leads",
        "/api/v1/leads/{id}",
        "/api/v1/projects/{id}/transitions",
        "/api/v1/stats/pipeline",
        "/api/v1/auth/token",
    ] {
        assert!(doc["paths"].get(p).is_some(), "openapi lacks {p}");
    }
    // unknown API routes answer JSON 404
    let tok = t.token("leader").await;
    let v = t
        .get_json(&tok, "/api/v1/nothing-here", StatusCode::NOT_FOUND)
        .await;
    assert_eq!(v["error"]["code"], "not_found");
}
both!(health_and_openapi_document, health_and_openapi);

/// The session cookie's flags: HttpOnly and SameSite always, Secure when the page was
/// reached over TLS (a proxy's `X-Forwarded-Proto: https`); the id is new at every login.
async fn cookie_flags(t: TestApp) {
    let login = |proto: Option<&'static str>| {
        let t = &t;
        async move {
            let r = t.client.get(t.url("/login")).send().await.unwrap();
            let csrf = r.headers()["set-cookie"]
                .to_str()
                .unwrap()
                .split(';')
                .next()
                .unwrap()
                .split_once('=')
                .unwrap()
                .1
                .to_string();
            let mut req = t
                .client
                .post(t.url("/login"))
                .header("cookie", format!("fenglai_login_csrf={csrf}"))
                .form(&[
                    ("username", "leader"),
                    ("password", "demo"),
                    ("csrf", csrf.as_str()),
                ]);
            if let Some(p) = proto {
                req = req.header("x-forwarded-proto", p);
            }
            let r = req.send().await.unwrap();
            assert_eq!(r.status(), StatusCode::SEE_OTHER);
            r.headers()
                .get_all("set-cookie")
                .iter()
                .map(|v| v.to_str().unwrap().to_string())
                .find(|c| c.starts_with("fenglai_session="))
                .unwrap()
        }
    };
    let plain = login(None).await;
    assert!(
        plain.contains("HttpOnly") && plain.contains("SameSite=Lax"),
        "{plain}"
    );
    assert!(!plain.contains("Secure"), "{plain}");
    let tls = login(Some("https")).await;
    assert!(
        tls.contains("HttpOnly") && tls.contains("; Secure"),
        "{tls}"
    );
    // a new session id at each login
    assert_ne!(plain.split(';').next(), tls.split(';').next());
    // every page carries the security headers
    let r = t.client.get(t.url("/login")).send().await.unwrap();
    let h = r.headers();
    assert_eq!(h["x-frame-options"], "DENY");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "same-origin");
    let csp = h["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("frame-ancestors 'none'") && !csp.contains("script-src 'unsafe-inline'"),
        "{csp}"
    );
}
both!(session_cookie_flags, cookie_flags);
