//! Recipient extracts: rows from the recipient's row scope, columns from its field mask, and
//! a disclosure record (shown to each person included) written before the file appears.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sea_orm::{EntityTrait, PaginatorTrait, QueryOrder};
use serde_json::{Value, json};
use vigo_api::analytics::Format;
use vigo_api::{audit, extract};
use vigo_entities::{access_denial, audit_event, disclosure, disclosure_person};
use vigo_policy::{Role, Subject, Today};
use vigo_tests::{Backend, TestApp, backends};

/// A directory of its own per test, removed afterwards.
struct OutDir(PathBuf);

impl OutDir {
    fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("vigo-extract-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        OutDir(dir)
    }

    /// The files in the directory.
    fn files(&self) -> Vec<String> {
        std::fs::read_dir(&self.0)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The subject a token authenticates, as the server would see it.
fn subject(app: &TestApp, role: Role) -> anyhow::Result<Subject> {
    Ok(app
        .auth
        .authenticate(Some(&format!("Bearer {}", app.token(role, None))))?)
}

/// Why an extract was refused (empty if it was not).
async fn refusal(
    app: &TestApp,
    subject: &Subject,
    name: &str,
    format: Format,
    out: &Path,
) -> String {
    extract::run(&app.db, &app.gate, subject, name, format, out)
        .await
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default()
}

/// A CSV file as its header and rows (the extracts' values hold no commas or quotes).
fn read_csv(path: &std::path::Path) -> anyhow::Result<(Vec<String>, Vec<Vec<String>>)> {
    let text = std::fs::read_to_string(path)?;
    let mut lines = text
        .lines()
        .map(|l| l.split(',').map(str::to_owned).collect());
    let header = lines.next().unwrap_or_default();
    Ok((header, lines.collect()))
}

#[tokio::test]
async fn an_extract_holds_the_recipients_rows_and_columns_and_shows_in_each_persons_disclosures()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let dir = OutDir::new(&format!("lanekassen-{backend:?}"));
        let out = dir.0.join("enrolment-status.csv");
        let lanekassen = subject(&app, Role::Lanekassen)?;
        let written = extract::run(
            &app.db,
            &app.gate,
            &lanekassen,
            "enrolment-status",
            Format::Csv,
            &out,
        )
        .await?;

        // Columns: what Lånekassen may read (no course percentage, no programme area).
        let (header, rows) = read_csv(&out)?;
        assert_eq!(
            header,
            [
                "national_id",
                "school",
                "school_name",
                "school_year",
                "status"
            ],
            "{backend:?}"
        );
        assert_eq!(
            written.withheld,
            [
                "programme_area",
                "course_percentage",
                "start_date",
                "end_date"
            ]
        );
        // Rows: this school year's enrolments of loan customers, recomputed from the
        // population.
        let pop = &app.population;
        let year = Today::now().school_year();
        let customers: BTreeSet<i32> = pop.loan_customers.iter().map(|l| l.person_id).collect();
        let national_id = |id: i32| {
            pop.persons
                .iter()
                .find(|p| p.id == id)
                .map(|p| p.national_id.clone())
                .unwrap_or_default()
        };
        let expected: BTreeSet<(String, String, String)> = pop
            .enrolments
            .iter()
            .filter(|e| customers.contains(&e.person_id) && e.school_year == year)
            .map(|e| {
                let school = pop
                    .organisations
                    .iter()
                    .find(|o| o.id == e.school_id)
                    .map(|o| o.org_no.clone())
                    .unwrap_or_default();
                (national_id(e.person_id), school, e.status.code().to_owned())
            })
            .collect();
        let found: BTreeSet<(String, String, String)> = rows
            .iter()
            .map(|r| (r[0].clone(), r[1].clone(), r[4].clone()))
            .collect();
        assert!(!expected.is_empty(), "the population has loan customers");
        assert_eq!(found, expected, "{backend:?}");
        assert_eq!(written.rows, rows.len());
        assert!(rows.iter().all(|r| r[3] == year.to_string()));

        // The disclosure: recorded once, with every person included, and chained.
        let stored = disclosure::Entity::find()
            .order_by_desc(disclosure::Column::Id)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no disclosure recorded"))?;
        assert_eq!(stored.id, written.disclosure);
        assert_eq!(stored.extract, "enrolment-status");
        assert_eq!(stored.purpose, "loan_administration");
        assert_eq!(stored.row_count as usize, rows.len());
        // The test token names no organisation; Maskinporten tokens do (then `lanekassen ORGNO`).
        assert_eq!(stored.recipient, "lanekassen", "{stored:?}");
        let included: BTreeSet<String> = rows.iter().map(|r| r[0].clone()).collect();
        assert_eq!(
            disclosure_person::Entity::find().count(&app.db).await? as usize,
            included.len()
        );
        let event = audit_event::Entity::find()
            .order_by_desc(audit_event::Column::Id)
            .one(&app.db)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no audit event"))?;
        assert_eq!(event.operation, "Extract.enrolment-status");
        assert_eq!(event.request_id, format!("disclosure-{}", stored.id));
        assert_eq!(event.actor_role, "lanekassen");
        assert_eq!(audit::verify(&app.db).await?, 1, "{backend:?}");

        // The person included sees it; a person left out sees none.
        let included_id = included.iter().next().cloned().unwrap_or_default();
        let body = app
            .query(
                &app.token(Role::Student, Some(&included_id)),
                "{ me { disclosures { at recipient extract purpose legalBasis } } }",
                Value::Null,
            )
            .await?;
        let shown = &body["data"]["me"]["disclosures"];
        assert_eq!(shown.as_array().map(Vec::len), Some(1), "{body}");
        assert_eq!(shown[0]["extract"], "enrolment-status");
        assert_eq!(shown[0]["recipient"], json!(stored.recipient));
        assert_eq!(shown[0]["purpose"], "loan_administration");
        assert!(
            shown[0]["legalBasis"]
                .as_str()
                .is_some_and(|b| b.contains("utdanningsstøtte")),
            "{body}"
        );
        let left_out = pop
            .persons
            .iter()
            .find(|p| !included.contains(&p.national_id) && p.deceased_on.is_none())
            .map(|p| p.national_id.clone())
            .unwrap_or_default();
        let body = app
            .query(
                &app.token(Role::Student, Some(&left_out)),
                "{ me { disclosures { extract } } }",
                Value::Null,
            )
            .await?;
        assert_eq!(body["data"]["me"]["disclosures"], json!([]), "{body}");
        assert_eq!(
            dir.files(),
            ["enrolment-status.csv"],
            "no partial file left"
        );
    }
    Ok(())
}

#[tokio::test]
async fn a_national_id_file_for_the_population_register_is_parquet_with_one_column()
-> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 120).await?;
    let dir = OutDir::new("folkeregister");
    let out = dir.0.join("ids.parquet");
    let folkeregister = subject(&app, Role::Folkeregister)?;
    let written = extract::run(
        &app.db,
        &app.gate,
        &folkeregister,
        "national-ids",
        Format::Parquet,
        &out,
    )
    .await?;
    assert_eq!(written.columns, ["national_id"]);
    assert_eq!(written.rows, app.population.persons.len(), "every person");
    let bytes = std::fs::read(&out)?;
    assert!(bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"));
    // The folkeregister may not see names: they are nowhere in the file.
    let name = &app.population.persons[0].family_name;
    assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()));
    Ok(())
}

#[tokio::test]
async fn refused_extracts_write_nothing_and_are_recorded_as_denials() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 80).await?;
    let dir = OutDir::new("refused");
    let out = dir.0.join("out.csv");
    let ot = subject(&app, Role::Ot)?;
    let why = refusal(&app, &ot, "diplomas", Format::Csv, &out).await;
    assert!(why.contains("Person.diplomas"), "{why}");
    let denial = access_denial::Entity::find()
        .order_by_desc(access_denial::Column::Id)
        .one(&app.db)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no denial recorded"))?;
    assert_eq!(denial.target, "Extract.diplomas");
    assert_eq!(denial.actor_role, "ot");

    let privacy_officer = subject(&app, Role::PrivacyOfficer)?;
    let why = refusal(&app, &privacy_officer, "national-ids", Format::Csv, &out).await;
    assert!(why.contains("reaches no person"), "{why}");

    let caseworker = subject(&app, Role::Caseworker)?;
    let why = refusal(&app, &caseworker, "national-ids", Format::JsonStat, &out).await;
    assert!(why.contains("csv or parquet"), "{why}");
    let why = refusal(&app, &caseworker, "everything", Format::Csv, &out).await;
    assert!(
        why.contains("national-ids, enrolment-status, diplomas"),
        "{why}"
    );

    assert!(dir.files().is_empty(), "{:?}", dir.files());
    assert_eq!(disclosure::Entity::find().count(&app.db).await?, 0);
    assert_eq!(audit_event::Entity::find().count(&app.db).await?, 0);
    Ok(())
}

#[tokio::test]
async fn when_the_disclosure_cannot_be_recorded_no_file_is_delivered() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 60).await?;
        let dir = OutDir::new(&format!("unrecorded-{backend:?}"));
        let out = dir.0.join("ids.csv");
        use sea_orm::ConnectionTrait;
        app.db.execute_unprepared("DROP TABLE audit_chain").await?;
        let caseworker = subject(&app, Role::Caseworker)?;
        let failed = extract::run(
            &app.db,
            &app.gate,
            &caseworker,
            "national-ids",
            Format::Csv,
            &out,
        )
        .await;
        let message = failed.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("could not be recorded"), "{message}");
        assert!(dir.files().is_empty(), "{backend:?}: {:?}", dir.files());
        assert_eq!(
            disclosure::Entity::find().count(&app.db).await?,
            0,
            "{backend:?}: the disclosure row is rolled back with its audit event"
        );
    }
    Ok(())
}

#[tokio::test]
async fn contact_lists_and_trade_test_registrations_follow_each_recipients_policy()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 400).await?;
        let dir = OutDir::new(&format!("contacts-{backend:?}"));
        // OT: its target group's names and contact data, without e-mail.
        let ot = subject(&app, Role::Ot)?;
        let out = dir.0.join("ot.csv");
        let written =
            extract::run(&app.db, &app.gate, &ot, "contact-list", Format::Csv, &out).await?;
        let columns = [
            "national_id",
            "given_name",
            "family_name",
            "address",
            "postal_code",
            "city",
            "phone",
        ];
        assert_eq!(written.columns, columns);
        assert_eq!(written.withheld, ["email"]);
        assert!(written.rows > 0, "{backend:?}: OT has a target group");
        let (header, rows) = read_csv(&out)?;
        assert_eq!(header, columns);
        assert_eq!(rows.len(), written.rows);
        // The county's archive: names and every contact field, for everyone with contact data.
        let websak = subject(&app, Role::Websak)?;
        let out = dir.0.join("websak.csv");
        let written = extract::run(
            &app.db,
            &app.gate,
            &websak,
            "contact-list",
            Format::Csv,
            &out,
        )
        .await?;
        assert_eq!(written.columns.len(), 8, "{:?}", written.columns);
        assert!(written.rows > written.persons / 2);
        // An exam board: the tests of its own trade only.
        let board = subject(&app, Role::ExamBoard)?;
        let trade = board
            .trade
            .clone()
            .map(|t| t.as_str().to_owned())
            .unwrap_or_default();
        let out = dir.0.join("board.csv");
        let written = extract::run(
            &app.db,
            &app.gate,
            &board,
            "trade-test-registrations",
            Format::Csv,
            &out,
        )
        .await?;
        assert_eq!(
            written.columns,
            [
                "national_id",
                "given_name",
                "family_name",
                "trade",
                "kind",
                "registered_on",
                "test_date"
            ]
        );
        let (_, rows) = read_csv(&out)?;
        assert!(
            rows.iter().all(|r| r[3] == trade),
            "{backend:?}: only {trade}"
        );
        // Each is recorded as a disclosure with its persons.
        let disclosures = disclosure::Entity::find().count(&app.db).await?;
        assert_eq!(disclosures, 3);
    }
    Ok(())
}

#[tokio::test]
async fn a_school_gets_its_intake_results_and_the_bank_its_payments_without_persons()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 600).await?;
        let dir = OutDir::new(&format!("intake-{backend:?}"));
        let pop = &app.population;
        let intake = Today::now().intake_year();
        // The school with the most offers in the current intake, worked out from the
        // population itself.
        let mut offers_by_school: std::collections::HashMap<i32, Vec<&str>> = Default::default();
        for offer in &pop.offers {
            let Some(wish) = pop.wishes.iter().find(|w| w.id == offer.wish_id) else {
                continue;
            };
            let Some(application) = pop
                .applications
                .iter()
                .find(|a| a.id == wish.application_id && a.intake_year == intake)
            else {
                continue;
            };
            if let Some(school) = wish.school_id {
                let person = pop
                    .persons
                    .iter()
                    .find(|p| p.id == application.person_id)
                    .map(|p| p.national_id.as_str())
                    .unwrap_or_default();
                offers_by_school.entry(school).or_default().push(person);
            }
        }
        let (school_id, expected) = offers_by_school
            .into_iter()
            .max_by_key(|(_, persons)| persons.len())
            .expect("offers in the current intake");
        let org_no = pop
            .organisations
            .iter()
            .find(|o| o.id == school_id)
            .map(|o| o.org_no.clone())
            .unwrap_or_default();
        let token = app.token_for(Role::School, Some(&org_no), None, None);
        let school = app.auth.authenticate(Some(&format!("Bearer {token}")))?;
        let out = dir.0.join("intake.csv");
        let written = extract::run(
            &app.db,
            &app.gate,
            &school,
            "intake-results",
            Format::Csv,
            &out,
        )
        .await?;
        let (header, rows) = read_csv(&out)?;
        assert_eq!(
            header,
            [
                "national_id",
                "given_name",
                "family_name",
                "programme_area",
                "round",
                "offered_on",
                "answer",
                "points"
            ]
        );
        let mut got: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
        let mut expected = expected;
        got.sort_unstable();
        expected.sort_unstable();
        assert_eq!(
            got, expected,
            "{backend:?}: exactly the school's offers of this intake"
        );
        assert_eq!(written.rows, rows.len());

        // The bank: every payment with the company's account; nobody in it.
        let bank = subject(&app, Role::Bank)?;
        let out = dir.0.join("payments.csv");
        let written = extract::run(
            &app.db,
            &app.gate,
            &bank,
            "subsidy-payments",
            Format::Csv,
            &out,
        )
        .await?;
        let (header, rows) = read_csv(&out)?;
        assert_eq!(
            header,
            [
                "org_no",
                "name",
                "account_no",
                "amount_ore",
                "period",
                "paid_on"
            ]
        );
        assert_eq!(rows.len(), pop.subsidies.len());
        let total: i64 = rows.iter().map(|r| r[3].parse::<i64>().unwrap_or(0)).sum();
        assert_eq!(
            total,
            pop.subsidies.iter().map(|s| s.amount_ore).sum::<i64>()
        );
        assert!(
            rows.iter().all(|r| r[2].len() == 11),
            "every account is there"
        );
        assert_eq!(written.persons, 0);
        let linked = disclosure_person::Entity::find().count(&app.db).await?;
        assert_eq!(
            linked as usize,
            expected.len(),
            "{backend:?}: the payments link no person"
        );
        // Neither gets the other's file.
        let refused = refusal(
            &app,
            &bank,
            "intake-results",
            Format::Csv,
            &dir.0.join("x.csv"),
        )
        .await;
        assert!(refused.contains("reaches no person"), "{refused}");
        let refused = refusal(
            &app,
            &school,
            "subsidy-payments",
            Format::Csv,
            &dir.0.join("y.csv"),
        )
        .await;
        assert!(refused.contains("reaches no organisation"), "{refused}");
    }
    Ok(())
}
