use crate::both;
use crate::helpers::TestApp;
use fenglai_app::audit::{verify, Verdict};
use reqwest::StatusCode;
use serde_json::json;

async fn chain(t: TestApp) {
    let tok = t.token("promoter").await;
    let lead = t
        .lead(
            &tok,
            json!({"company_name": "审计测试有限公司", "reported_date": "2024-01-01"}),
        )
        .await;
    let id = t.admit(&tok, lead, None, "2024-01-05").await;
    t.post_json(
        &tok,
        &format!("/api/v1/projects/{id}/transitions"),
        json!({"to": "signed", "date": "2024-02-01", "amount_yuan": 9_000_000i64}),
        StatusCode::OK,
    )
    .await;
    let Verdict::Intact { events } = verify(&t.app).await.unwrap() else {
        panic!("chain should be intact")
    };
    assert!(events >= 4, "{events}");

    // someone edits the contract amount in an event behind the program's back
    let target: i64 = events - 1;
    t.raw_sql(&format!(
        "UPDATE events SET after_json = REPLACE(after_json, '9000000', '90000000') WHERE seq = {}",
        events
    ))
    .await;
    match verify(&t.app).await.unwrap() {
        Verdict::Broken { seq, reason, .. } => {
            assert_eq!(seq, events, "names the edited event");
            assert!(reason.contains("哈希"), "{reason}");
        }
        v => panic!("tampering not caught: {v:?}"),
    }
    // deleting an event is caught too
    t.raw_sql(&format!(
        "UPDATE events SET after_json = REPLACE(after_json, '90000000', '9000000') WHERE seq = {}",
        events
    ))
    .await;
    assert!(matches!(
        verify(&t.app).await.unwrap(),
        Verdict::Intact { .. }
    ));
    t.raw_sql(&format!("DELETE FROM events WHERE seq = {target}"))
        .await;
    match verify(&t.app).await.unwrap() {
        Verdict::Broken { seq, .. } => assert_eq!(seq, target + 1),
        v => panic!("deletion not caught: {v:?}"),
    }
}
both!(audit_chain_detects_tampering, chain);
