//! Statistics through the gate: every catalogue table computed on a synthetic population and
//! attacked as published, on both backends; only the roles granted `statistics` get any, and
//! every pull is recorded without linking a person.

use serde_json::{Value, json};
use vigo_api::analytics::statistics::CATALOGUE;
use vigo_policy::Role;
use vigo_tests::attacker::attack;
use vigo_tests::{Backend, TestApp, backends, count, error_code};

const DATASET: &str = r#"query($extract: String!, $filter: [StatisticsFilter!]! = []) {
    statistics(extract: $extract, filter: $filter)
}"#;

#[tokio::test]
async fn every_catalogue_table_is_computed_and_withstands_the_attacker() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 600).await?;
        let ssb = app.token(Role::Ssb, None);
        for statistic in CATALOGUE {
            let body = app
                .query(&ssb, DATASET, json!({ "extract": statistic.name }))
                .await?;
            assert!(body.get("errors").is_none(), "{}: {body}", statistic.name);
            let dataset = &body["data"]["statistics"];
            assert_eq!(dataset["version"], "2.0");
            assert_eq!(dataset["class"], "dataset");
            let ids: Vec<&str> = dataset["id"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let declared: Vec<&str> = statistic.dimensions.iter().map(|(id, _)| *id).collect();
            assert_eq!(ids, declared, "{}", statistic.name);
            let size: u64 = dataset["size"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).product())
                .unwrap_or(0);
            assert_eq!(
                dataset["value"].as_array().map(Vec::len),
                Some(size as usize),
                "{}",
                statistic.name
            );
            let counted: u64 = dataset["value"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).sum())
                .unwrap_or(0);
            assert!(
                counted > 0,
                "{} counts something: {dataset}",
                statistic.name
            );
            attack(dataset);
        }
        // One event per pull, linking nobody.
        let pulls = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE 'Statistics.%' AND actor_role = 'ssb'",
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE 'Statistics.%' AND actor_role = 'ssb'",
        )
        .await?;
        assert_eq!(pulls, CATALOGUE.len() as i64, "{backend:?}");
        let linked = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE 'Statistics.%'",
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE 'Statistics.%'",
        )
        .await?;
        assert_eq!(linked, 0);
    }
    Ok(())
}

#[tokio::test]
async fn only_statisticians_and_caseworkers_get_statistics() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 200).await?;
    for role in [Role::Ssb, Role::Udir, Role::Caseworker] {
        let body = app
            .query(
                &app.token(role, None),
                DATASET,
                json!({ "extract": "pupils-by-age" }),
            )
            .await?;
        assert!(
            body["data"]["statistics"]["value"].is_array(),
            "{role}: {body}"
        );
        let body = app
            .query(
                &app.token(role, None),
                "{ statisticsCatalogue { name title dimensions { id } threshold } }",
                json!({}),
            )
            .await?;
        assert_eq!(
            body["data"]["statisticsCatalogue"].as_array().map(Vec::len),
            Some(CATALOGUE.len()),
            "{body}"
        );
    }
    let person = app.population.persons[0].national_id.clone();
    for role in [
        Role::School,
        Role::Ot,
        Role::Lanekassen,
        Role::Student,
        Role::PrivacyOfficer,
    ] {
        let statements = app.statements.load(std::sync::atomic::Ordering::Relaxed);
        let token = app.token(role, (role == Role::Student).then_some(person.as_str()));
        let body = app
            .query(&token, DATASET, json!({ "extract": "pupils-by-age" }))
            .await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role}: {body}");
        assert!(body["data"].is_null() || body["data"]["statistics"].is_null());
        let spent = app.statements.load(std::sync::atomic::Ordering::Relaxed) - statements;
        assert!(
            spent < 10,
            "{role}: {spent} statements; nothing is computed for a refusal"
        );
    }
    let denied = count(
        &app.db,
        "SELECT COUNT(*) AS n FROM access_denial WHERE target = 'Query.statistics'",
        "SELECT COUNT(*) AS n FROM access_denial WHERE target = 'Query.statistics'",
    )
    .await?;
    let roles = count(
        &app.db,
        "SELECT COUNT(DISTINCT actor_role) AS n FROM access_denial WHERE target = 'Query.statistics'",
        "SELECT COUNT(DISTINCT actor_role) AS n FROM access_denial WHERE target = 'Query.statistics'",
    )
    .await?;
    let mut recorded = Vec::new();
    for role in ["school", "ot", "lanekassen", "student", "privacy_officer"] {
        let sql = format!("SELECT COUNT(*) AS n FROM access_denial WHERE actor_role = '{role}'");
        recorded.push((role, count(&app.db, &sql, &sql).await?));
    }
    assert_eq!(
        (denied, roles),
        (5, 5),
        "every refusal is recorded: {recorded:?}"
    );
    Ok(())
}

#[tokio::test]
async fn unknown_statistics_dimensions_and_categories_are_named() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 100).await?;
    let udir = app.token(Role::Udir, None);
    let body = app
        .query(&udir, DATASET, json!({ "extract": "pupils" }))
        .await?;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("unknown statistic 'pupils'") && message.contains("pupils-by-school"),
        "{message}"
    );
    let body = app
        .query(
            &udir,
            DATASET,
            json!({ "extract": "pupils-by-age", "filter": [{ "dimension": "year", "categories": ["2026"] }] }),
        )
        .await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("unknown dimension 'year'") && message.contains("level, age"),
        "{message}"
    );
    let body = app
        .query(
            &udir,
            DATASET,
            json!({ "extract": "pupils-by-age", "filter": [{ "dimension": "level", "categories": ["vg4"] }] }),
        )
        .await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("no category 'vg4'") && message.contains("vg1"),
        "{message}"
    );
    // A selection publishes a part of the protected table.
    let body = app
        .query(
            &udir,
            DATASET,
            json!({ "extract": "pupils-by-age", "filter": [{ "dimension": "level", "categories": ["vg1", "total"] }] }),
        )
        .await?;
    assert_eq!(body["data"]["statistics"]["size"], json!([2, 8]), "{body}");
    Ok(())
}

async fn get(
    app: &TestApp,
    token: &str,
    uri: &str,
) -> anyhow::Result<(axum::http::StatusCode, axum::http::HeaderMap, Vec<u8>)> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let request = axum::http::Request::get(uri)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())?;
    let response = app.router.clone().oneshot(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await?.to_bytes().to_vec();
    Ok((status, headers, bytes))
}

#[tokio::test]
async fn extracts_are_pulled_over_http_in_every_format() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 300).await?;
    let ssb = app.token(Role::Ssb, None);
    let (status, headers, bytes) = get(&app, &ssb, "/extracts/trade-tests?format=csv").await?;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"trade-tests.csv\""
    );
    let text = String::from_utf8(bytes)?;
    assert!(
        text.starts_with("trade,year,outcome,value,value_status\n"),
        "{text}"
    );
    // A withheld cell is `:` in both value and status; a published one has no status.
    assert!(
        text.lines()
            .skip(1)
            .all(|l| l.ends_with(",:,:") || (l.ends_with(',') && !l.contains(':'))),
        "{text}"
    );
    let (status, headers, bytes) = get(&app, &ssb, "/extracts/trade-tests?format=parquet").await?;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "application/vnd.apache.parquet");
    assert_eq!(&bytes[..4], b"PAR1");
    let (status, _, bytes) = get(
        &app,
        &ssb,
        "/extracts/pupils-by-age?format=jsonstat&filter=level%3Dvg1%2Ctotal",
    )
    .await?;
    assert_eq!(status, 200);
    let dataset: Value = serde_json::from_slice(&bytes)?;
    assert_eq!(dataset["size"], json!([2, 8]));
    attack(&dataset);

    // A recipient file is recorded as a disclosure, as `vigo extract` records it.
    let lanekassen = app.token(Role::Lanekassen, None);
    let (status, _, bytes) =
        get(&app, &lanekassen, "/extracts/enrolment-status?format=csv").await?;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&bytes));
    assert!(
        String::from_utf8(bytes)?.starts_with("national_id,school,school_name,school_year,status")
    );
    let disclosures = count(
        &app.db,
        "SELECT COUNT(*) AS n FROM disclosure WHERE extract = 'enrolment-status'",
        "SELECT COUNT(*) AS n FROM disclosure WHERE extract = 'enrolment-status'",
    )
    .await?;
    assert_eq!(disclosures, 1);

    // Refusals and unknown names say what is wrong.
    let school = app.token(Role::School, None);
    let (status, _, bytes) = get(&app, &school, "/extracts/trade-tests?format=csv").await?;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&bytes));
    let (status, _, bytes) = get(&app, &ssb, "/extracts/nothing?format=csv").await?;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_slice(&bytes)?;
    assert_eq!(error_code(&body), Some("UNKNOWN_EXTRACT"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .contains("trade-tests")
    );
    let (status, _, _) = get(&app, &ssb, "/extracts/trade-tests?format=xlsx").await?;
    assert_eq!(status, 400);
    let (status, _, bytes) = get(&app, &ssb, "/extracts").await?;
    assert_eq!(status, 200);
    let listed: Value = serde_json::from_slice(&bytes)?;
    assert_eq!(
        listed["statistics"].as_array().map(Vec::len),
        Some(CATALOGUE.len())
    );
    Ok(())
}
