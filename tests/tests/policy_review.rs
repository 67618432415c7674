//! The privacy officer's policy tools through the API, on both backends: every version keeps
//! its rules, two versions are compared by what each role gains and loses, a rollback is a
//! new version, a decision is explained by its rules, and a proposal is simulated for one
//! subject before it is applied. Only privacy officers may use them, and each use is recorded.

use serde_json::{Value, json};
use vigo_policy::Role;
use vigo_tests::{TestApp, backends, count, error_code};

const CHANGES: &str = "{ policyChanges(last: 50) { version summary rules } }";
const REPLACE: &str =
    "mutation($r: String!, $s: String!) { replacePolicy(rules: $r, summary: $s) { version } }";

fn strings(value: &Value) -> Vec<String> {
    value
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn versions_are_compared_explained_simulated_and_rolled_back() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let officer = app.token(Role::PrivacyOfficer, None);
        let body = app
            .query(&officer, "{ policy { version rules } }", json!({}))
            .await?;
        let first = body["data"]["policy"]["version"].as_i64().unwrap_or(0);
        let rules = strings(&body["data"]["policy"]["rules"]);
        // The version in force has its rules kept, in canonical (sorted) order.
        let body = app.query(&officer, CHANGES, json!({})).await?;
        let kept = strings(&body["data"]["policyChanges"][0]["rules"]);
        let mut sorted = rules.clone();
        sorted.sort();
        assert_eq!(kept, sorted, "{backend:?}: {body}");

        let deny = "p, ot, follow_up, field:Contact.phone, read, deny";
        let edited = format!("{}\n{deny}", rules.join("\n"));
        let body = app
            .query(
                &officer,
                REPLACE,
                json!({ "r": edited, "s": "no phone for OT" }),
            )
            .await?;
        let second = body["data"]["replacePolicy"]["version"]
            .as_i64()
            .unwrap_or(0);
        assert!(second > first, "{body}");

        // The difference: one rule added, OT loses the phone field, nobody else changes.
        let body = app
            .query(
                &officer,
                "query($a: Int!, $b: Int!) { policyDiff(from: $a, to: $b) { added removed changes { role purpose fieldsGained fieldsLost scopesLost } } }",
                json!({ "a": first, "b": second }),
            )
            .await?;
        let diff = &body["data"]["policyDiff"];
        assert_eq!(strings(&diff["added"]), [deny], "{body}");
        assert!(strings(&diff["removed"]).is_empty());
        assert_eq!(diff["changes"].as_array().map(Vec::len), Some(1), "{body}");
        assert_eq!(diff["changes"][0]["role"], "ot");
        assert_eq!(
            strings(&diff["changes"][0]["fieldsLost"]),
            ["Contact.phone"]
        );

        // Why OT may not read it now: the deny, overriding the category's allow.
        let body = app
            .query(
                &officer,
                "{ explainAccess(role: OT, object: \"field:Contact.phone\") { allowed belongsTo allowedBy deniedBy reason } }",
                json!({}),
            )
            .await?;
        let explained = &body["data"]["explainAccess"];
        assert_eq!(explained["allowed"], false, "{body}");
        assert_eq!(explained["belongsTo"], "category:contact");
        assert_eq!(strings(&explained["deniedBy"]), [deny]);
        assert_eq!(
            strings(&explained["allowedBy"]),
            ["p, ot, follow_up, category:contact, read, allow"]
        );
        assert!(
            explained["reason"]
                .as_str()
                .unwrap_or("")
                .contains("overrides")
        );

        // A proposal, simulated for OT: absence gained; without its scope, nobody reached.
        let proposal = format!("{edited}\np, ot, follow_up, category:absence, read, allow");
        let simulate = "query($r: String!) { simulatePolicy(rules: $r, subject: {role: OT}) { current { persons fields } proposed { persons fields } fieldsGained fieldsLost difference { added } } }";
        let body = app
            .query(&officer, simulate, json!({ "r": proposal }))
            .await?;
        let simulation = &body["data"]["simulatePolicy"];
        assert_eq!(
            strings(&simulation["fieldsGained"]),
            [
                "Absence.days",
                "Absence.hours",
                "Absence.schoolYear",
                "Person.absence"
            ],
            "{body}"
        );
        let reached = simulation["current"]["persons"].as_i64().unwrap_or(0);
        assert!(reached > 0, "OT reaches its target group: {body}");
        assert_eq!(simulation["proposed"]["persons"].as_i64(), Some(reached));
        let without_scope: Vec<&str> = edited
            .lines()
            .filter(|l| !l.contains("scope:ot_target_group"))
            .collect();
        let body = app
            .query(&officer, simulate, json!({ "r": without_scope.join("\n") }))
            .await?;
        assert_eq!(
            body["data"]["simulatePolicy"]["proposed"]["persons"].as_i64(),
            Some(0),
            "{body}"
        );
        // A sample person of OT's target group, as OT would see them now and with e-mail.
        let ot = app.token(Role::Ot, None);
        let body = app
            .query(
                &ot,
                "{ persons(first: 1) { edges { node { nationalId } } } }",
                json!({}),
            )
            .await?;
        let sample = body["data"]["persons"]["edges"][0]["node"]["nationalId"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let with_email: Vec<&str> = edited
            .lines()
            .filter(|l| *l != "p, ot, follow_up, field:Contact.email, read, deny")
            .collect();
        let body = app
            .query(
                &officer,
                "query($r: String!, $n: String) { simulatePolicy(rules: $r, subject: {role: OT}, nationalId: $n) { recordCurrent { record withheld } recordProposed { record withheld } } }",
                json!({ "r": with_email.join("\n"), "n": sample }),
            )
            .await?;
        let now = &body["data"]["simulatePolicy"]["recordCurrent"];
        let then = &body["data"]["simulatePolicy"]["recordProposed"];
        assert_eq!(now["record"]["nationalId"], sample.as_str(), "{body}");
        assert!(now["record"]["contact"].get("email").is_none(), "{body}");
        assert!(strings(&now["withheld"]).contains(&"Contact.email".to_owned()));
        assert!(then["record"]["contact"].get("email").is_some(), "{body}");
        assert!(!strings(&then["withheld"]).contains(&"Contact.email".to_owned()));
        assert!(strings(&then["withheld"]).contains(&"Person.results".to_owned()));
        // The officer's look at the person is in the person's own access log.
        let linked = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE '%Query.simulatePolicy%' AND e.actor_role = 'privacy_officer'",
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE '%Query.simulatePolicy%' AND e.actor_role = 'privacy_officer'",
        )
        .await?;
        assert_eq!(linked, 1, "{backend:?}");
        let refusals_of_simulations = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM access_denial WHERE actor_sub = 'simulation'",
            "SELECT COUNT(*) AS n FROM access_denial WHERE actor_sub = 'simulation'",
        )
        .await?;
        assert_eq!(refusals_of_simulations, 0);

        // A broken proposal is refused as replacePolicy refuses it, naming the line.
        let body = app
            .query(
                &officer,
                simulate,
                json!({ "r": "p, ot, follow_up, field:Person.shoeSize, read, allow" }),
            )
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("line 1")
        );

        // Roll back: a new version with the first one's rules; history stays.
        let body = app
            .query(
                &officer,
                "mutation($v: Int!) { rollbackPolicy(to: $v, summary: \"phone needed after all\") { version rules } }",
                json!({ "v": first }),
            )
            .await?;
        let third = body["data"]["rollbackPolicy"]["version"]
            .as_i64()
            .unwrap_or(0);
        assert!(third > second, "{body}");
        let mut now = strings(&body["data"]["rollbackPolicy"]["rules"]);
        now.sort();
        assert_eq!(now, sorted);
        let body = app.query(&officer, CHANGES, json!({})).await?;
        assert_eq!(
            body["data"]["policyChanges"][0]["summary"],
            format!("rollback to version {first}: phone needed after all")
        );
        assert!(body["data"]["policyChanges"].as_array().map_or(0, Vec::len) >= 3);
        let body = app
            .query(
                &officer,
                "query($a: Int!, $b: Int!) { policyDiff(from: $a, to: $b) { changes { role } } }",
                json!({ "a": first, "b": third }),
            )
            .await?;
        assert_eq!(body["data"]["policyDiff"]["changes"], json!([]), "{body}");

        // The matrix: OT reads part of contact (no phone in force), all of it under a proposal
        // without the deny.
        let matrix = "query($r: String) { accessMatrix(rules: $r) { version categories { id fields } rows { role purpose cells { category allowed total } } } }";
        let body = app.query(&officer, matrix, json!({ "r": edited })).await?;
        let ot_contact = |body: &Value| -> (i64, i64) {
            let rows = body["data"]["accessMatrix"]["rows"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let ot = rows
                .iter()
                .find(|r| r["role"] == "ot")
                .cloned()
                .unwrap_or_default();
            let cell = ot["cells"]
                .as_array()
                .and_then(|c| c.iter().find(|c| c["category"] == "contact").cloned())
                .unwrap_or_default();
            (
                cell["allowed"].as_i64().unwrap_or(-1),
                cell["total"].as_i64().unwrap_or(-1),
            )
        };
        let (allowed, total) = ot_contact(&body);
        assert!(allowed > 0 && allowed < total, "{body}");
        let body = app
            .query(&officer, matrix, json!({ "r": rules.join("\n") }))
            .await?;
        let (allowed_without_deny, _) = ot_contact(&body);
        assert_eq!(allowed_without_deny, allowed + 1, "the phone comes back");
        assert!(
            body["data"]["accessMatrix"]["rows"]
                .as_array()
                .map_or(0, Vec::len)
                >= Role::ALL.len(),
            "a row for every role: {body}"
        );

        // Refusals per day, role and kind, for the chart.
        let school = app.token(Role::School, None);
        app.query(&school, "{ statisticsCatalogue { name } }", json!({}))
            .await?;
        let body = app
            .query(
                &officer,
                "{ denialCounts { day role kind count } }",
                json!({}),
            )
            .await?;
        let counts = body["data"]["denialCounts"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert!(
            counts.iter().any(|c| c["day"] == today.as_str()
                && c["role"] == "school"
                && c["count"].as_i64() >= Some(1)),
            "{backend:?}: {body}"
        );
        let body = app
            .query(
                &officer,
                "{ denialCounts(from: \"2020-01-01T00:00:00Z\") { day } }",
                json!({}),
            )
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");

        // Bad input and other roles.
        let body = app
            .query(
                &officer,
                "mutation { rollbackPolicy(to: 99999, summary: \"x\") { version } }",
                json!({}),
            )
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("no policy version 99999")
        );
        let body = app
            .query(
                &officer,
                "{ explainAccess(role: OT, object: \"field:Person.shoeSize\") { allowed } }",
                json!({}),
            )
            .await?;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        let caseworker = app.token(Role::Caseworker, None);
        for query in [
            "{ explainAccess(role: OT, object: \"field:Contact.phone\") { allowed } }",
            "{ policyDiff(from: 1, to: 2) { added } }",
            "mutation { rollbackPolicy(to: 1, summary: \"x\") { version } }",
        ] {
            let body = app.query(&caseworker, query, json!({})).await?;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}: {body}");
        }
        let recorded = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE '%Query.explainAccess%' OR operation LIKE '%Query.policyDiff%' OR operation LIKE '%Query.simulatePolicy%' OR operation LIKE '%Mutation.rollbackPolicy%'",
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation LIKE '%Query.explainAccess%' OR operation LIKE '%Query.policyDiff%' OR operation LIKE '%Query.simulatePolicy%' OR operation LIKE '%Mutation.rollbackPolicy%'",
        )
        .await?;
        assert!(
            recorded >= 6,
            "{backend:?}: the officer's uses are recorded: {recorded}"
        );
    }
    Ok(())
}
