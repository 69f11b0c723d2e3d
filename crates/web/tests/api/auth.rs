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

/// Creates a user with `password`; the status and the answer.
async fn new_user(t: &TestApp, admin: &str, username: &str, password: &str) -> (StatusCode, Value) {
    let unit = t.unit_id("凤城市投资促进局").await;
    let r = t
        .post(
            admin,
            "/api/v1/users",
            json!({"username": username, "display_name": "张三", "role": "promoter",
                   "unit_id": unit, "password": password}),
        )
        .await;
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// The administrator gives user `id` a new password; the status and the answer.
async fn reset_password(t: &TestApp, admin: &str, id: i64, password: &str) -> (StatusCode, Value) {
    let r = t
        .client
        .patch(t.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(admin)
        .json(&json!({ "password": password }))
        .send()
        .await
        .unwrap();
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

async fn can_log_in(t: &TestApp, username: &str, password: &str) -> bool {
    t.client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap()
        .status()
        == StatusCode::OK
}

/// Without configuration a new password needs 8 characters of any kind, as always.
async fn default_password_policy(t: TestApp) {
    let admin = t.token("admin").await;
    let (s, v) = new_user(&t, &admin, "pw_short", "abc1234").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["field"], "password");
    assert_eq!(v["error"]["message"], "密码至少8位");
    let (s, v) = new_user(&t, &admin, "pw_ok", "abcdefgh").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(can_log_in(&t, "pw_ok", "abcdefgh").await);
    // a new password set by the administrator is checked too
    let id = v["id"].as_i64().unwrap();
    let (s, v) = reset_password(&t, &admin, id, "short").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["message"], "密码至少8位");
    assert!(can_log_in(&t, "pw_ok", "abcdefgh").await, "unchanged");
    let cookie = format!("fenglai_session={}", web_login(&t, "admin").await);
    let (_, html) = t.page(&cookie, "/admin/users").await;
    assert!(html.contains("密码至少8位。"));
}
both!(password_policy_default, default_password_policy);

/// FENGLAI_PASSWORD_MIN_LENGTH=12 FENGLAI_PASSWORD_CLASSES=3: the message names the rule
/// and what the password lacks; existing passwords still sign in.
async fn strict_password_policy(t: TestApp) {
    let admin = t.token("admin").await;
    let rule = "密码至少12位，且须包含大写字母、小写字母、数字、特殊符号中的至少3种";
    for (password, lacks) in [
        ("Fenglai2026", "（现为11位）"),
        ("fenglaifenglai", "（现只有1种）"),
        ("abc", "（现为3位，现只有1种）"),
    ] {
        let (s, v) = new_user(&t, &admin, "pw_strict", password).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {v}");
        assert_eq!(v["error"]["field"], "password");
        assert_eq!(
            v["error"]["message"],
            format!("{rule}{lacks}"),
            "{password}"
        );
    }
    let (s, v) = new_user(&t, &admin, "pw_strict", "Fenglai-2026x").await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(can_log_in(&t, "pw_strict", "Fenglai-2026x").await);
    let id = v["id"].as_i64().unwrap();
    let (s, v) = reset_password(&t, &admin, id, "abcdefghijklmn").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = reset_password(&t, &admin, id, "招商引资-Phoenix-1").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(can_log_in(&t, "pw_strict", "招商引资-Phoenix-1").await);
    // the policy is for new passwords: the demo accounts' "demo" still signs in
    assert!(can_log_in(&t, "leader", "demo").await);
    // the users page states it
    let cookie = format!("fenglai_session={}", web_login(&t, "admin").await);
    let (s, html) = t.page(&cookie, "/admin/users").await;
    assert_eq!(s, StatusCode::OK);
    assert!(html.contains(rule), "the rule on the page");
    assert!(html.contains(r#"minlength="12""#));
}
both!(password_policy_configured, strict_password_policy, |app| {
    app.with_password_policy(fenglai_domain::password::PasswordPolicy::parse(12, "3").unwrap())
});

/// Every type the OpenAPI document describes has a name of its own: utoipa files schemas
/// by bare type name, so two `ToSchema` types called alike (a ledger import's preview and
/// a merge's preview were both `Preview`) leave one of them describing the other's
/// answers. Read from the source of every crate (`#[schema(as = …)]` renames).
#[test]
fn schema_names_are_unique() {
    fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for c in std::fs::read_dir(&crates).unwrap().flatten() {
        let src = c.path().join("src");
        if src.is_dir() {
            walk(&src, &mut files);
        }
    }
    let mut seen: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let l = line.trim();
            if !(l.starts_with("#[derive(") && l.contains("ToSchema")) {
                continue;
            }
            let mut renamed = None;
            for next in &lines[i + 1..] {
                let n = next.trim();
                if let Some(rest) = n.strip_prefix("#[schema(as = ") {
                    renamed = Some(rest.trim_end_matches(")]").to_string());
                }
                let decl = ["pub struct ", "pub enum ", "struct ", "enum "]
                    .iter()
                    .find_map(|k| n.strip_prefix(k));
                if let Some(decl) = decl {
                    let name: String = decl
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '_')
                        .collect();
                    seen.entry(renamed.unwrap_or(name))
                        .or_default()
                        .push(format!("{}:{}", f.display(), i + 1));
                    break;
                }
            }
        }
    }
    assert!(seen.len() > 100, "found only {} schema types", seen.len());
    let twice: Vec<_> = seen.iter().filter(|(_, at)| at.len() > 1).collect();
    assert!(twice.is_empty(), "schema names used twice: {twice:#?}");
}

/// PATCHes user `id` as the administrator, expecting 200.
async fn edit_user(t: &TestApp, admin: &str, id: i64, body: Value) {
    let r = t
        .client
        .patch(t.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "PATCH user {id} {body}");
}

/// Whether an API token still answers.
async fn token_works(t: &TestApp, token: &str) -> bool {
    let s = t.get(token, "/api/v1/leads").await.status();
    assert!(s == StatusCode::OK || s == StatusCode::UNAUTHORIZED, "{s}");
    s == StatusCode::OK
}

/// Whether a browser session still opens a page (without it: a redirect to /login).
async fn session_works(t: &TestApp, session: &str) -> bool {
    let (s, _) = t
        .page(&format!("fenglai_session={session}"), "/leads")
        .await;
    s == StatusCode::OK
}

/// A new password, a new role, a new unit or a deactivation ends the user's sessions and
/// tokens at once (they kept working for 30 days); an edit of the name alone does not.
async fn revoked_on_change(t: TestApp) {
    let admin = t.token("admin").await;
    let id = t.user_id("promoter2").await;
    let county = t.unit_id("临江县投资促进中心").await;
    let other_unit = t.unit_id("青山区商务局").await;
    // the name alone: nothing ends
    let tok = t.token("promoter2").await;
    let web = web_login(&t, "promoter2").await;
    edit_user(&t, &admin, id, json!({"display_name": "赵县招商（改）"})).await;
    assert!(token_works(&t, &tok).await && session_works(&t, &web).await);
    // the same role and unit named again: nothing ends either
    edit_user(
        &t,
        &admin,
        id,
        json!({"role": "promoter", "unit_id": county}),
    )
    .await;
    assert!(token_works(&t, &tok).await && session_works(&t, &web).await);
    for (what, change) in [
        ("password", json!({"password": "new-pass-2026"})),
        ("role", json!({"role": "receiver"})),
        ("unit", json!({"unit_id": other_unit})),
        ("deactivation", json!({"active": false})),
    ] {
        let password = if what == "password" {
            "demo"
        } else {
            "new-pass-2026"
        };
        let tok = login_token(&t, "promoter2", password).await;
        let web = web_login_with(&t, "promoter2", password).await;
        assert!(token_works(&t, &tok).await && session_works(&t, &web).await);
        edit_user(&t, &admin, id, change).await;
        assert!(!token_works(&t, &tok).await, "{what}: the API token ended");
        assert!(!session_works(&t, &web).await, "{what}: the session ended");
    }
    // reactivated, the old credentials stay dead; a fresh login works
    let old = tok;
    edit_user(&t, &admin, id, json!({"active": true})).await;
    assert!(!token_works(&t, &old).await);
    let fresh = login_token(&t, "promoter2", "new-pass-2026").await;
    assert!(token_works(&t, &fresh).await);
    // other users' sessions are untouched
    assert!(token_works(&t, &admin).await);
}
both!(
    sessions_end_on_password_role_or_unit_change,
    revoked_on_change
);

/// Logs in over the API with a password; the token.
async fn login_token(t: &TestApp, username: &str, password: &str) -> String {
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "login {username}");
    r.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}

/// [`web_login`] with a password of one's choice.
async fn web_login_with(t: &TestApp, username: &str, password: &str) -> String {
    let r = t.client.get(t.url("/login")).send().await.unwrap();
    let set = r.headers()["set-cookie"].to_str().unwrap().to_string();
    let csrf = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let r = t
        .client
        .post(t.url("/login"))
        .header("cookie", format!("fenglai_login_csrf={csrf}"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf", csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "web login {username}");
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string()
}

/// `DELETE /api/v1/auth/token` revokes the caller's own token, and only it.
async fn delete_token(t: TestApp) {
    let a = t.token("promoter").await;
    let b = t.token("promoter").await;
    let r = t
        .client
        .delete(t.url("/api/v1/auth/token"))
        .bearer_auth(&a)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(!token_works(&t, &a).await, "revoked");
    assert!(token_works(&t, &b).await, "the user's other token stays");
    // a second time, or without a token, or with a web session: 401
    for auth in [Some(a.clone()), None, Some(web_login(&t, "promoter").await)] {
        let mut req = t.client.delete(t.url("/api/v1/auth/token"));
        if let Some(tok) = &auth {
            req = req.bearer_auth(tok);
        }
        assert_eq!(req.send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
}
both!(a_token_is_revoked_by_its_holder, delete_token);

/// An administrator lists a user's sessions and tokens (never the tokens themselves) and
/// ends one or all of them, over the API and on the users page.
async fn admin_sessions(t: TestApp) {
    let admin = t.token("admin").await;
    let id = t.user_id("park").await;
    let tok = t.token("park").await;
    let web = web_login(&t, "park").await;
    let path = format!("/api/v1/users/{id}/sessions");
    let r = t.get(&admin, &path).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(!body.contains(&tok) && !body.contains(&web), "{body}");
    let list: Value = serde_json::from_str(&body).unwrap();
    let mut kinds: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, vec!["api", "web"], "{list}");
    let api_id = list
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "api")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // others may neither list nor end them
    let promoter = t.token("promoter").await;
    assert_eq!(
        t.get(&promoter, &path).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = t
        .client
        .delete(t.url(&path))
        .bearer_auth(&promoter)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(token_works(&t, &tok).await);
    // one ended: the token; the browser session goes on
    let r = t
        .client
        .delete(t.url(&format!("{path}/{api_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.json::<Value>().await.unwrap()["revoked"], 1);
    assert!(!token_works(&t, &tok).await && session_works(&t, &web).await);
    // a session that is not (or no longer) the user's: 404; an unknown user: 404
    for p in [
        format!("{path}/{api_id}"),
        "/api/v1/users/999999/sessions".into(),
    ] {
        let r = t
            .client
            .delete(t.url(&p))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::NOT_FOUND, "{p}");
    }
    let own = t
        .get_json(
            &admin,
            &format!("/api/v1/users/{}/sessions", t.user_id("admin").await),
            StatusCode::OK,
        )
        .await;
    let own_id = own[0]["id"].as_str().unwrap().to_string();
    let r = t
        .client
        .delete(t.url(&format!("{path}/{own_id}")))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::NOT_FOUND,
        "the admin's own, named under park"
    );
    assert!(token_works(&t, &admin).await);
    // on the users page: each session listed with its own 注销, and all at once
    let tok = t.token("park").await;
    let web_id = t
        .get_json(&admin, &path, StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["kind"] == "web")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let cookie = format!("fenglai_session={}", web_login(&t, "admin").await);
    let (s, html) = t.page(&cookie, "/admin/users").await;
    assert_eq!(s, StatusCode::OK);
    let one = format!("/admin/users/{id}/sessions/{web_id}/revoke");
    assert!(
        html.contains(&format!("action=\"/admin/users/{id}/sessions/revoke\""))
            && html.contains(&format!("action=\"{one}\""))
            && html.contains("API 令牌"),
        "{html}"
    );
    assert!(
        !html.contains(&tok) && !html.contains(&web),
        "no token on the page"
    );
    let csrf = html
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let r = t.form(&cookie, &one, &[("csrf", csrf.as_str())]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!session_works(&t, &web).await && token_works(&t, &tok).await);
    let web = web_login(&t, "park").await;
    let r = t
        .form(
            &cookie,
            &format!("/admin/users/{id}/sessions/revoke"),
            &[("csrf", csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(!token_works(&t, &tok).await && !session_works(&t, &web).await);
    assert_eq!(t.get_json(&admin, &path, StatusCode::OK).await, json!([]));
    // without the form's token nothing happens
    let tok = t.token("park").await;
    let r = t
        .form(&cookie, &format!("/admin/users/{id}/sessions/revoke"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(token_works(&t, &tok).await);
}
both!(an_admin_sees_and_ends_a_users_sessions, admin_sessions);

/// A login through a trusted proxy from `source` (its X-Forwarded-For); status, Retry-After.
async fn login_from(
    t: &TestApp,
    username: &str,
    password: &str,
    source: &str,
) -> (StatusCode, Option<u64>) {
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .header("x-forwarded-for", source)
        .json(&json!({"username": username, "password": password}))
        .send()
        .await
        .unwrap();
    let retry = r
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    (r.status(), retry)
}

/// Failures lock the (account, source) pair, not the account: the right password from
/// another source gets in after a short back-off, which doubles with each failure and is
/// waited out for a clean source but refused (429, Retry-After) to one that failed.
async fn throttle_by_source(t: TestApp) {
    let a = "10.0.0.1";
    for _ in 0..5 {
        assert_eq!(
            login_from(&t, "leader", "x", a).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    // the pair is locked for the window, even with the right password
    let (s, retry) = login_from(&t, "leader", "demo", a).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let retry = retry.expect("Retry-After");
    assert!((880..=900).contains(&retry), "{retry}");
    // a forged address left of the source changes nothing
    let (s, _) = login_from(&t, "leader", "demo", &format!("10.9.9.9, {a}")).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    // from a clean source the right password gets in, after at most the back-off (1 s)
    let started = std::time::Instant::now();
    assert_eq!(
        login_from(&t, "leader", "demo", "10.0.0.2").await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // a success does not unlock the pair that failed
    assert_eq!(
        login_from(&t, "leader", "demo", a).await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    // failures from many sources only slow the account down
    for i in 0..5 {
        let (s, _) = login_from(&t, "leader", "x", &format!("10.0.1.{i}")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "source {i}");
    }
    // a source that failed is refused during the back-off (1 s after five, 2 s after six)
    assert_eq!(
        login_from(&t, "leader", "x", "10.0.1.9").await.0,
        StatusCode::UNAUTHORIZED,
        "a clean source waits the back-off out"
    );
    let (s, retry) = login_from(&t, "leader", "demo", "10.0.1.9").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!((1..=2).contains(&retry.unwrap()), "{retry:?}");
    // and a clean source still gets in with the right password
    let started = std::time::Instant::now();
    assert_eq!(
        login_from(&t, "leader", "demo", "10.0.2.1").await.0,
        StatusCode::OK
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // other accounts from the locked source are not affected
    assert_eq!(
        login_from(&t, "promoter", "demo", a).await.0,
        StatusCode::OK
    );
}
both!(
    login_throttled_by_account_and_source,
    throttle_by_source,
    |app| {
        app.with_trusted_proxies(fenglai_app::auth::TrustedProxies::parse("127.0.0.1").unwrap())
    }
);

/// Without a trusted proxy X-Forwarded-For is ignored: a client cannot dodge its lock by
/// claiming another address.
async fn forwarded_ignored(t: TestApp) {
    for _ in 0..5 {
        login_from(&t, "park2", "x", "10.0.0.1").await;
    }
    let (s, retry) = login_from(&t, "park2", "demo", "10.0.0.2").await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(retry.is_some());
}
both!(forwarded_address_needs_a_trusted_proxy, forwarded_ignored);

/// A burst of attempts from one clean source during an account's back-off is checked once:
/// the first waits the back-off out and fails, the others, judged again in their turn,
/// come from a source that has now failed and are refused.
async fn burst(t: TestApp) {
    for i in 0..5 {
        let (s, _) = login_from(&t, "park", "x", &format!("10.0.3.{i}")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let tasks: Vec<_> = (0..5)
        .map(|_| {
            let client = t.client.clone();
            let url = t.url("/api/v1/auth/token");
            tokio::spawn(async move {
                client
                    .post(url)
                    .header("x-forwarded-for", "10.0.4.1")
                    .json(&json!({"username": "park", "password": "x"}))
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    let mut got = Vec::new();
    for task in tasks {
        got.push(task.await.unwrap());
    }
    got.sort();
    assert_eq!(
        got,
        vec![
            StatusCode::UNAUTHORIZED,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    // the owner, from a clean source, still gets in
    assert_eq!(
        login_from(&t, "park", "demo", "10.0.4.2").await.0,
        StatusCode::OK
    );
}
both!(a_burst_from_one_source_is_checked_once, burst, |app| {
    app.with_trusted_proxies(fenglai_app::auth::TrustedProxies::parse("127.0.0.1").unwrap())
});
