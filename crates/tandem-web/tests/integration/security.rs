use crate::TestApp;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use tandem_storage::Store;

async fn every_response_carries_the_security_headers(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    for path in [
        "/",
        "/admin/regions",
        "/api/v1/regions",
        "/nowhere",
        "/sign-in",
    ] {
        let reply = app.get_as(&admin, path).await;
        let csp = reply.header("content-security-policy");
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(reply.header("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(reply.header("cache-control"), "no-store", "{path}");
        assert_eq!(reply.header("x-content-type-options"), "nosniff", "{path}");
        assert!(!reply.header("x-request-id").is_empty(), "{path}");
    }
}

async fn pages_carry_no_inline_script(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let home = app.get_as(&admin, "/").await.body;
    let scripts: Vec<&str> = home.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        assert!(
            script.trim_start().starts_with("type=\"module\" src=")
                || script.trim_start().starts_with("src="),
            "every script is loaded from Tandem: <script{script}"
        );
    }
    assert!(!home.contains("style=\""), "no inline styles");
}

async fn assets_are_served_by_tandem_and_cached(store: Store) {
    let app = TestApp::new(store);
    let home = app.get("/sign-in").await.body;
    let css = home
        .split("href=\"")
        .find_map(|s| s.split('"').next().filter(|h| h.ends_with("tandem.css")))
        .expect("stylesheet link")
        .to_owned();
    assert!(css.starts_with("/assets/"), "served locally: {css}");
    let reply = app.get(&css).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply.header("content-type").starts_with("text/css"));
    assert!(reply.header("cache-control").contains("immutable"));
    assert!(
        reply.body.contains(".govuk-button"),
        "GOV.UK Frontend styles"
    );
    assert!(
        !reply.body.contains("GDS Transport"),
        "the gov.uk-only typeface is not used"
    );
    for script in ["htmx.min.js", "govuk-frontend.min.js", "tandem.js"] {
        let path = css.replace("tandem.css", script);
        let reply = app.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path}");
        assert!(
            reply.header("content-type").starts_with("text/javascript"),
            "{path}"
        );
    }
    assert_eq!(
        app.get("/assets/x/nothing.js").await.status,
        StatusCode::NOT_FOUND
    );
}

async fn cross_site_writes_are_refused(store: Store) {
    let app = TestApp::new(store);
    let admin = app.admin().await;
    let cookie = format!("tandem_session={}", admin.cookie);
    let form = format!("code=EV&name=Evil&version=&csrf_token={}", admin.csrf);
    let attempts: [(&[(&str, String)], &str); 4] = [
        (&[("sec-fetch-site", "cross-site".into())], "cross-site"),
        (
            &[("origin", "https://evil.example".into())],
            "foreign origin",
        ),
        (&[], "no origin at all"),
        (
            &[("sec-fetch-site", "same-origin".into())],
            "same origin but no token",
        ),
    ];
    for (headers, what) in attempts {
        let body = if what.contains("no token") {
            "code=EV&name=Evil&version=".to_owned()
        } else {
            form.clone()
        };
        let mut request = Request::post("/admin/regions/new")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("host", "tandem.local")
            .header("cookie", &cookie);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let reply = app
            .send(request.body(Body::from(body)).expect("request"))
            .await;
        assert_eq!(reply.status, StatusCode::FORBIDDEN, "{what}");
    }
    // A token from another session (say, a replayed one) is refused too.
    let other = app.sign_in("admin").await;
    let replayed = app
        .send(
            Request::post("/admin/regions/new")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("sec-fetch-site", "same-origin")
                .header("cookie", &cookie)
                .body(Body::from(format!(
                    "code=EV&name=Evil&version=&csrf_token={}",
                    other.csrf
                )))
                .expect("request"),
        )
        .await;
    assert_eq!(replayed.status, StatusCode::FORBIDDEN);
    let same_origin = app
        .send(
            Request::post("/admin/regions/new")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("host", "tandem.local")
                .header("origin", "http://tandem.local")
                .header("cookie", &cookie)
                .body(Body::from(format!(
                    "code=OK&name=Fine&version=&csrf_token={}",
                    admin.csrf
                )))
                .expect("request"),
        )
        .await;
    assert_eq!(
        same_origin.status,
        StatusCode::SEE_OTHER,
        "{}",
        same_origin.body
    );
    let regions = app.get_as(&admin, "/admin/regions").await.body;
    assert!(regions.contains("Fine"));
    assert!(!regions.contains("Evil"));
}

tandem_testkit::on_both_backends!(
    every_response_carries_the_security_headers,
    pages_carry_no_inline_script,
    assets_are_served_by_tandem_and_cached,
    cross_site_writes_are_refused,
);
