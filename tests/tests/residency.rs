//! The residency check from the population register's address file, on both backends: a file
//! with a malformed line is refused whole, naming the line, and changes nothing; with
//! `skip_bad` the rest is imported: contact data changes with a change log (phone and email
//! kept), applicants who live outside the county are set aside with an explained decision, and
//! taken back when they move in; one audit event names every person changed; a repeated file
//! changes nothing.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use vigo_api::intake::{self, IntakeError};
use vigo_entities::enums::ApplicationStatus;
use vigo_entities::{
    application, application_change, audit_event, automated_decision, contact, contact_change,
};
use vigo_intake::residency::OSLO;
use vigo_policy::{Purpose, Role, Subject};
use vigo_tests::{TestApp, backends};

#[tokio::test]
async fn the_address_file_updates_contacts_and_sets_aside_those_outside_the_county()
-> anyhow::Result<()> {
    let year = vigo_policy::Today::now().intake_year() + 1;
    for backend in backends() {
        let app = TestApp::new(backend, 60).await?;
        let pop = &app.population;
        let living: Vec<_> = pop
            .persons
            .iter()
            .filter(|p| {
                p.deceased_on.is_none()
                    && pop
                        .contacts
                        .iter()
                        .any(|c| c.person_id == p.id && c.municipality_code == "0301")
            })
            .take(3)
            .collect();
        let (mover, stayer, other) = (living[0], living[1], living[2]);
        let before = |id: i32| {
            pop.contacts
                .iter()
                .find(|c| c.person_id == id)
                .cloned()
                .expect("synthetic contact")
        };
        let mut applications = Vec::new();
        for person in [mover, stayer] {
            applications.push(
                application::ActiveModel {
                    person_id: Set(person.id),
                    intake_year: Set(year),
                    points_hundredths: Set(Some(4200)),
                    status: Set(ApplicationStatus::Submitted),
                    submitted_at: Set(chrono::Utc::now()),
                    ..Default::default()
                }
                .insert(&app.db)
                .await?,
            );
        }
        let operator = Subject::new(
            Role::Caseworker,
            Purpose::Intake,
            None,
            None,
            "operator:test".into(),
        )?;
        // A synthetic number no one in the base has (month + 80, as every test id).
        let stranger = (0..100u8)
            .find_map(|n| {
                let digits = [0, 1, 8, 1, 0, 8, 5, n / 10, n % 10];
                let check = vigo_entities::ids::NationalId::classic_check_digits(digits)?;
                let id: String = digits
                    .iter()
                    .chain(&check)
                    .map(|d| char::from(b'0' + d))
                    .collect();
                (!pop.persons.iter().any(|p| p.national_id == id)).then_some(id)
            })
            .expect("a free synthetic number");
        let file = format!(
            "national_id,address,postal_code,city,municipality_code\n\
             {},Kirkeveien 7,1337,Sandvika,3201\n\
             {},\"Thereses gate 12, leil. H0203\",0168,Oslo,0301\n\
             {},Storgata 3,0155,Oslo,0301\n\
             {stranger},Storgata 4,0155,Oslo,0301\n\
             {},Storgata 5,015,Oslo,0301\n",
            mover.national_id, stayer.national_id, other.national_id, other.national_id
        );
        let refused =
            intake::residency::import_addresses(&app.db, file.as_bytes(), false, OSLO, &operator)
                .await;
        match &refused {
            Err(IntakeError::MalformedFile(bad)) => {
                assert_eq!(bad.len(), 1, "{bad:?}");
                assert_eq!(bad[0].line, 6);
                assert!(bad[0].reason.contains("postalCode"), "{}", bad[0]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(contact_change::Entity::find().count(&app.db).await?, 0);
        let held = contact::Entity::find()
            .filter(contact::Column::PersonId.eq(mover.id))
            .one(&app.db)
            .await?
            .expect("contact");
        assert_eq!(held.municipality_code, "0301", "nothing imported");

        let imported =
            intake::residency::import_addresses(&app.db, file.as_bytes(), true, OSLO, &operator)
                .await?;
        assert_eq!(
            (
                imported.lines,
                imported.skipped.len(),
                imported.not_held,
                imported.changed,
                imported.applicants,
                imported.outside,
                imported.taken_back
            ),
            (4, 1, 1, 3, 2, 1, 0),
            "{backend:?}: {imported:?}"
        );
        let moved = contact::Entity::find()
            .filter(contact::Column::PersonId.eq(mover.id))
            .one(&app.db)
            .await?
            .expect("contact");
        assert_eq!(
            (
                moved.address.as_str(),
                moved.city.as_str(),
                moved.municipality_code.as_str()
            ),
            ("Kirkeveien 7", "SANDVIKA", "3201")
        );
        assert_eq!(
            (moved.phone, moved.email),
            (before(mover.id).phone, before(mover.id).email),
            "the register's file has no phone or email: they are kept"
        );
        let logged = contact_change::Entity::find()
            .filter(contact_change::Column::PersonId.eq(mover.id))
            .all(&app.db)
            .await?;
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0].source, "population_register");
        let detail: serde_json::Value = serde_json::from_str(&logged[0].detail)?;
        assert_eq!(
            detail["municipalityCode"],
            serde_json::json!({"from": "0301", "to": "3201"})
        );
        assert!(detail.get("phone").is_none(), "{detail}");
        // The person reads the change log of their contact data, and so do caseworkers.
        let body = app
            .query(
                &app.token(Role::Student, Some(&mover.national_id)),
                "{ me { contact { municipalityCode changes { source actorRole detail } } } }",
                serde_json::json!({}),
            )
            .await?;
        let changes = &body["data"]["me"]["contact"]["changes"];
        assert_eq!(changes[0]["source"], "population_register", "{body}");
        assert_eq!(changes[0]["actorRole"], "caseworker", "{body}");
        assert!(
            changes[0]["detail"].as_str().unwrap_or("").contains("3201"),
            "{body}"
        );
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "query($n: String!) { person(nationalId: $n) { contact { changes { source } } } }",
                serde_json::json!({ "n": mover.national_id }),
            )
            .await?;
        assert_eq!(
            body["data"]["person"]["contact"]["changes"][0]["source"], "population_register",
            "{body}"
        );
        let status = |id: i32| {
            let db = app.db.clone();
            async move {
                anyhow::Ok(
                    application::Entity::find_by_id(id)
                        .one(&db)
                        .await?
                        .map(|a| a.status),
                )
            }
        };
        assert_eq!(
            status(applications[0].id).await?,
            Some(ApplicationStatus::OutsideCounty)
        );
        assert_eq!(
            status(applications[1].id).await?,
            Some(ApplicationStatus::Submitted)
        );
        let residency = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("residency"))
            .all(&app.db)
            .await?;
        assert_eq!(residency.len(), 2, "one per applicant, none for others");
        let decided = |id: i32| {
            residency
                .iter()
                .find(|d| d.person_id == id)
                .map(|d| (d.outcome.clone(), d.explanation.clone()))
                .unwrap_or_default()
        };
        let (outcome, explanation) = decided(mover.id);
        assert_eq!(outcome, "another county is responsible (municipality 3201)");
        assert!(
            explanation.contains("kommune 3201, som ligger i fylke 32 og ikke i Oslo"),
            "{explanation}"
        );
        assert!(decided(stayer.id).0.starts_with("Oslo is responsible"));
        let changes = application_change::Entity::find()
            .filter(application_change::Column::ApplicationId.eq(applications[0].id))
            .filter(application_change::Column::Change.eq("residency"))
            .count(&app.db)
            .await?;
        assert_eq!(changes, 1);
        let events = audit_event::Entity::find()
            .filter(audit_event::Column::Operation.starts_with("Intake.addresses"))
            .all(&app.db)
            .await?;
        assert_eq!(events.len(), 1);
        assert!(events[0].categories.contains("contact"), "{:?}", events[0]);

        // The same file again changes nothing and decides nothing.
        let again =
            intake::residency::import_addresses(&app.db, file.as_bytes(), true, OSLO, &operator)
                .await?;
        assert_eq!((again.changed, again.outside, again.taken_back), (0, 0, 0));
        assert_eq!(
            automated_decision::Entity::find()
                .filter(automated_decision::Column::Kind.eq("residency"))
                .count(&app.db)
                .await?,
            2
        );
        // Moving back in takes the application back.
        let back = format!("{},Storgata 9,0155,Oslo,0301\n", mover.national_id);
        let returned =
            intake::residency::import_addresses(&app.db, back.as_bytes(), false, OSLO, &operator)
                .await?;
        assert_eq!((returned.changed, returned.taken_back), (1, 1));
        assert_eq!(
            status(applications[0].id).await?,
            Some(ApplicationStatus::Submitted)
        );
    }
    Ok(())
}
