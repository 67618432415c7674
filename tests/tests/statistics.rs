//! Statistics through the gate: every catalogue table computed on a synthetic population and
//! attacked as published, on both backends; only the roles granted `statistics` get any, and
//! every pull is recorded without linking a person.

use std::collections::HashMap;

use serde_json::{Value, json};
use vigo_api::analytics::statistics::{CATALOGUE, Derivation, MEASURE};
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
        let mut pulls_of_bases = 0;
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
            match statistic.derived {
                None => attack(dataset),
                Some((base, derivation)) => {
                    let body = app.query(&ssb, DATASET, json!({ "extract": base })).await?;
                    published_only_where_its_counts_are(
                        dataset,
                        &body["data"]["statistics"],
                        &derivation,
                    );
                    pulls_of_bases += 1;
                }
            }
        }
        // One event per pull, linking nobody.
        let pulls = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE 'Statistics.%' AND actor_role = 'ssb'",
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE 'Statistics.%' AND actor_role = 'ssb'",
        )
        .await?;
        assert_eq!(
            pulls,
            (CATALOGUE.len() + pulls_of_bases) as i64,
            "{backend:?}"
        );
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

/// The cells of a dataset by their category ids, in the order of its dimensions.
fn cells(dataset: &Value) -> HashMap<Vec<String>, Value> {
    let ids: Vec<&str> = dataset["id"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let categories: Vec<Vec<String>> = ids
        .iter()
        .map(|id| {
            let index = dataset["dimension"][id]["category"]["index"]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let mut ordered: Vec<(String, u64)> = index
                .into_iter()
                .map(|(k, v)| (k, v.as_u64().unwrap_or(0)))
                .collect();
            ordered.sort_by_key(|(_, p)| *p);
            ordered.into_iter().map(|(k, _)| k).collect()
        })
        .collect();
    let values = dataset["value"].as_array().cloned().unwrap_or_default();
    let mut cells = HashMap::new();
    for (index, value) in values.into_iter().enumerate() {
        let mut rest = index;
        let mut key = vec![String::new(); categories.len()];
        for d in (0..categories.len()).rev() {
            key[d] = categories[d][rest % categories[d].len()].clone();
            rest /= categories[d].len();
        }
        cells.insert(key, value);
    }
    cells
}

/// A file of rates publishes a count only as its file of counts publishes it, and a rate only
/// where every count it divides is published: it discloses nothing the counts do not.
fn published_only_where_its_counts_are(derived: &Value, base: &Value, derivation: &Derivation) {
    assert_eq!(derived["role"]["metric"], json!([MEASURE]), "{derived}");
    let over_position = match derivation {
        Derivation::Share { over, .. } => base["id"]
            .as_array()
            .and_then(|ids| ids.iter().position(|i| i == over)),
        Derivation::PerUnit { .. } => None,
    };
    let base = cells(base);
    let mut rates = 0;
    for (key, value) in cells(derived) {
        let (measure, rest) = key.split_last().expect("a measure dimension");
        let at = |category: Option<(&str, usize)>| -> Value {
            let mut full: Vec<String> = rest.to_vec();
            if let Some((id, position)) = category {
                full.insert(position, id.to_owned());
            }
            base.get(&full)
                .cloned()
                .unwrap_or_else(|| panic!("{full:?} is in the counts"))
        };
        match derivation {
            Derivation::Share {
                denominator,
                numerator,
                share,
                ..
            } => {
                let position = over_position.expect("a share is over a dimension of its counts");
                let denominator_count = at(Some((denominator.0, position)));
                let numerator_count = at(Some((numerator.0, position)));
                if measure == denominator.1.id {
                    assert_eq!(value, denominator_count, "{key:?}");
                } else if measure == numerator.1.id {
                    assert_eq!(value, numerator_count, "{key:?}");
                } else {
                    assert_eq!(measure, share.id);
                    if !value.is_null() {
                        rates += 1;
                        let (n, d) = (numerator_count.as_f64(), denominator_count.as_f64());
                        let (Some(n), Some(d)) = (n, d) else {
                            panic!("{key:?}: a rate over a withheld count")
                        };
                        assert!((value.as_f64().unwrap_or(-1.0) - n / d * 100.0).abs() < 0.051);
                    }
                }
            }
            Derivation::PerUnit { count, ratio, .. } => {
                let counted = at(None);
                if measure == count.id {
                    assert_eq!(value, counted, "{key:?}");
                } else if measure == ratio.id && !value.is_null() {
                    rates += 1;
                    assert!(counted.is_u64(), "{key:?}: a ratio over a withheld count");
                }
            }
        }
    }
    assert!(rates > 0, "some rate is published: {derived}");
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
async fn the_policy_grants_and_denies_single_statistics() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 200).await?;
    app.extend_policy(&[
        "p, udir, statistics, statistics:completion, read, deny",
        "p, ot, follow_up, statistics:ot-target-group, read, allow",
    ])
    .await?;
    let catalogue = |token: String| {
        let app = &app;
        async move {
            let body = app
                .query(&token, "{ statisticsCatalogue { name } }", json!({}))
                .await?;
            let names: Vec<String> = body["data"]["statisticsCatalogue"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| s["name"].as_str().map(str::to_owned))
                .collect();
            anyhow::Ok(names)
        }
    };
    let udir = app.token(Role::Udir, None);
    let listed = catalogue(udir.clone()).await?;
    assert_eq!(listed.len(), CATALOGUE.len() - 1);
    assert!(!listed.iter().any(|n| n == "completion"));
    let body = app
        .query(&udir, DATASET, json!({ "extract": "completion" }))
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let body = app
        .query(&udir, DATASET, json!({ "extract": "pupils-by-age" }))
        .await?;
    assert!(body["data"]["statistics"]["value"].is_array(), "{body}");

    let ot = app.token(Role::Ot, None);
    assert_eq!(catalogue(ot.clone()).await?, ["ot-target-group"]);
    let body = app
        .query(&ot, DATASET, json!({ "extract": "ot-target-group" }))
        .await?;
    assert!(body["data"]["statistics"]["value"].is_array(), "{body}");
    let body = app
        .query(&ot, DATASET, json!({ "extract": "pupils-by-age" }))
        .await?;
    assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    let (status, _, bytes) = get(&app, &ot, "/extracts").await?;
    assert_eq!(status, 200);
    let listed: Value = serde_json::from_slice(&bytes)?;
    assert_eq!(listed["statistics"][0]["name"], "ot-target-group");
    assert_eq!(listed["statistics"].as_array().map(Vec::len), Some(1));
    let denied = count(
        &app.db,
        "SELECT COUNT(*) AS n FROM access_denial WHERE target IN ('Statistics.completion', 'Statistics.pupils-by-age')",
        "SELECT COUNT(*) AS n FROM access_denial WHERE target IN ('Statistics.completion', 'Statistics.pupils-by-age')",
    )
    .await?;
    assert_eq!(denied, 2, "both refusals are recorded");

    // A rule on a statistic that does not exist is refused with the names that do.
    let officer = app.token(Role::PrivacyOfficer, None);
    let body = app
        .query(
            &officer,
            "mutation { replacePolicy(rules: \"p, ssb, statistics, statistics:horoscopes, read, allow\", summary: \"x\") { version } }",
            json!({}),
        )
        .await?;
    let message = body["errors"][0]["message"].as_str().unwrap_or("");
    assert!(
        message.contains("unknown statistic 'horoscopes'") && message.contains("completion"),
        "{body}"
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
