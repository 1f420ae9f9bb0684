use crate::{TestApp, seed};
use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use tandem_storage::Store;

#[test]
fn the_openapi_document_is_stable() {
    let document = tandem_web::openapi_document();
    let json = serde_json::to_value(&document).expect("serialise");
    assert_eq!(json["openapi"], "3.1.0");
    insta::assert_json_snapshot!("openapi", json);
}

/// Every documented operation is answered by a route (not the fallback).
async fn every_documented_operation_is_routed(store: Store) {
    let app = TestApp::new(store);
    let token = app.admin_token().await;
    let region_id = seed(&app, &token).await.region;
    let document = app.get("/api/v1/openapi.json").await.json();
    let paths = document["paths"].as_object().expect("paths");
    assert!(paths.len() >= 19, "{} paths", paths.len());
    let schemes = &document["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["session"]["in"], "cookie");
    for (path, item) in paths {
        for method in ["get", "post", "put", "delete"] {
            if item.get(method).is_none() {
                continue;
            }
            let uri = path.replace("{id}", &region_id.to_string());
            let request = Request::builder()
                .method(Method::from_bytes(method.to_uppercase().as_bytes()).expect("method"))
                .uri(&uri)
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .expect("request");
            let reply = app.send(request).await;
            assert_ne!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {uri}"
            );
            assert!(
                !reply
                    .body
                    .contains("There is no API resource at this address"),
                "{method} {uri} is documented but not routed"
            );
        }
    }
}

tandem_testkit::on_both_backends!(every_documented_operation_is_routed);
