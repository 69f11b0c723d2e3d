use crate::both;
use crate::helpers::TestApp;
use reqwest::StatusCode;
use serde_json::json;

async fn scoping(t: TestApp) {
    let informant = t.token("informant").await;
    let promoter = t.token("promoter").await;
    let promoter2 = t.token("promoter2").await;
    let park = t.token("park").await;
    let leader = t.token("leader").await;
    let jkq = t.unit_id("凤城经济技术开发区").await;
    let ljy = t.unit_id("临江工业园区").await;

    let own = t
        .lead(
            &informant,
            json!({"company_name": "信息员报送甲公司", "reported_date": "2024-01-01"}),
        )
        .await;
    let city = t
        .lead(
            &promoter,
            json!({"company_name": "市局报送乙公司", "reported_date": "2024-01-01"}),
        )
        .await;
    let county = t
        .lead(
            &promoter2,
            json!({"company_name": "临江县报送丙公司", "reported_date": "2024-01-01"}),
        )
        .await;

    // an informant sees only their own leads
    let v = t
        .get_json(&informant, "/api/v1/leads", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], own);
    t.get_json(
        &informant,
        &format!("/api/v1/leads/{city}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    // a county promoter sees the county's subtree only
    let v = t
        .get_json(&promoter2, "/api/v1/leads", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    t.get_json(
        &promoter2,
        &format!("/api/v1/leads/{city}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.get_json(
        &promoter2,
        &format!("/api/v1/leads/{own}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    // searches are scoped the same way
    for (tok, q, n) in [
        (&promoter2, "报送", 1),
        (&informant, "报送", 1),
        (&promoter2, "市局报送", 0),
        (&leader, "报送", 3),
        (&promoter, "公司", 3),
    ] {
        let v = t
            .get_json(tok, &format!("/api/v1/leads?q={q}"), StatusCode::OK)
            .await;
        assert_eq!(v["total"], n, "q={q}");
    }
    // the city bureau's jurisdiction is the city: all three; the leader too
    assert_eq!(
        t.get_json(&promoter, "/api/v1/leads", StatusCode::OK).await["total"],
        3
    );
    assert_eq!(
        t.get_json(&leader, "/api/v1/leads", StatusCode::OK).await["total"],
        3
    );

    // writes out of scope are refused as if the record did not exist
    t.post_json(
        &promoter2,
        &format!("/api/v1/leads/{city}/admit"),
        json!({}),
        StatusCode::NOT_FOUND,
    )
    .await;
    // informants may not admit
    t.post_json(
        &informant,
        &format!("/api/v1/leads/{own}/admit"),
        json!({}),
        StatusCode::FORBIDDEN,
    )
    .await;

    let p_city = t.admit(&promoter, city, Some(jkq), "2024-02-01").await;
    let p_county = t.admit(&promoter2, county, Some(ljy), "2024-02-01").await;
    let p_own = t.admit(&promoter, own, None, "2024-02-01").await;

    // a park user sees only its park's projects
    let v = t.get_json(&park, "/api/v1/projects", StatusCode::OK).await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], p_city);
    t.get_json(
        &park,
        &format!("/api/v1/projects/{p_county}"),
        StatusCode::NOT_FOUND,
    )
    .await;
    t.post_json(
        &park,
        &format!("/api/v1/projects/{p_county}/transitions"),
        json!({"to": "signed", "amount_yuan": 1}),
        StatusCode::NOT_FOUND,
    )
    .await;
    // … and may move its own park's project
    t.post_json(
        &park,
        &format!("/api/v1/projects/{p_city}/transitions"),
        json!({"to": "signed", "date": "2024-03-01", "amount_yuan": 100_000_000i64}),
        StatusCode::OK,
    )
    .await;
    // the county promoter sees the county's project only
    let v = t
        .get_json(&promoter2, "/api/v1/projects", StatusCode::OK)
        .await;
    assert_eq!(v["total"], 1);
    assert_eq!(v["items"][0]["id"], p_county);
    t.get_json(
        &promoter2,
        &format!("/api/v1/projects/{p_city}/history"),
        StatusCode::NOT_FOUND,
    )
    .await;
    // the leader sees all; the informant sees the project made from their lead
    assert_eq!(
        t.get_json(&leader, "/api/v1/projects", StatusCode::OK)
            .await["total"],
        3
    );
    let v = t
        .get_json(&informant, "/api/v1/projects", StatusCode::OK)
        .await;
    assert_eq!(
        (v["total"].as_i64(), v["items"][0]["id"].as_i64()),
        (Some(1), Some(p_own))
    );
    // figures are scoped too
    let s = t
        .get_json(
            &promoter2,
            "/api/v1/stats/pipeline?as_of=2024-03-01",
            StatusCode::OK,
        )
        .await;
    let sum: i64 = s["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["count"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 1);
    let s = t
        .get_json(
            &leader,
            "/api/v1/stats/pipeline?as_of=2024-03-01",
            StatusCode::OK,
        )
        .await;
    let sum: i64 = s["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["count"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 3);
    // administration is for admins
    t.get_json(&leader, "/api/v1/users", StatusCode::FORBIDDEN)
        .await;
    let admin = t.token("admin").await;
    assert!(
        t.get_json(&admin, "/api/v1/users", StatusCode::OK)
            .await
            .as_array()
            .unwrap()
            .len()
            >= 8
    );
}
both!(scoping_by_role_and_unit, scoping);

async fn users(t: TestApp) {
    let admin = t.token("admin").await;
    let unit = t.unit_id("青山区商务局").await;
    let v = t
        .post_json(&admin, "/api/v1/users", json!({"username": "qs_zhang", "display_name": "张三", "role": "promoter", "unit_id": unit, "password": "s3cret-pass"}), StatusCode::CREATED)
        .await;
    assert_eq!(v["unit_name"], "青山区商务局");
    assert!(
        v.get("password_hash").is_none(),
        "hashes never leave the server"
    );
    let v = t
        .post_json(&admin, "/api/v1/users", json!({"username": "qs_zhang", "display_name": "张三", "role": "promoter", "unit_id": unit, "password": "s3cret-pass"}), StatusCode::UNPROCESSABLE_ENTITY)
        .await;
    assert_eq!(v["error"]["field"], "username");
    for (body, field) in [
        (
            json!({"username": "x y", "display_name": "a", "role": "promoter", "unit_id": unit, "password": "12345678"}),
            "username",
        ),
        (
            json!({"username": "abc", "display_name": "a", "role": "king", "unit_id": unit, "password": "12345678"}),
            "role",
        ),
        (
            json!({"username": "abc", "display_name": "a", "role": "promoter", "unit_id": 99999, "password": "12345678"}),
            "unit_id",
        ),
        (
            json!({"username": "abc", "display_name": "a", "role": "promoter", "unit_id": unit, "password": "short"}),
            "password",
        ),
        // a name of zero-width and bidi characters only is no name
        (
            json!({"username": "abc", "display_name": "\u{200B}\u{202E}", "role": "promoter", "unit_id": unit, "password": "12345678"}),
            "display_name",
        ),
    ] {
        let v = t
            .post_json(
                &admin,
                "/api/v1/users",
                body,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        assert_eq!(v["error"]["field"], field);
    }
    // the new promoter's scope is 青山区
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "qs_zhang", "password": "s3cret-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    // a new unit under the county, then deactivate the user: login stops working
    let v = t.post_json(&admin, "/api/v1/units", json!({"name": "青山新材料产业园", "kind": "park", "parent_id": t.unit_id("青山区").await}), StatusCode::CREATED).await;
    assert!(v["path"]
        .as_str()
        .unwrap()
        .ends_with(&format!("/{}/", v["id"])));
    t.post_json(
        &admin,
        "/api/v1/units",
        json!({"name": "无上级园区", "kind": "park"}),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
    let id = t
        .get_json(&admin, "/api/v1/users", StatusCode::OK)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "qs_zhang")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let r = t
        .client
        .patch(t.url(&format!("/api/v1/users/{id}")))
        .bearer_auth(&admin)
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let r = t
        .client
        .post(t.url("/api/v1/auth/token"))
        .json(&json!({"username": "qs_zhang", "password": "s3cret-pass"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
}
both!(administration_of_users_and_units, users);
