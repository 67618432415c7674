//! Intake rounds against the database, on both backends: a main round places applicants by
//! points with waiting lists and explains each result to the person; a round runs once; a
//! run replays to the same result from its recorded inputs and seed, and a tampered record is
//! caught; the supplementary round keeps accepted places and moves waiting lists up.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use vigo_api::intake::{self, IntakeError};
use vigo_entities::enums::{
    ApplicationStatus, IntakeRound, OfferAnswer, OrganisationKind, RightKind, WishStatus,
};
use vigo_entities::{
    application, application_wish, automated_decision, education_right, offer, school_offer,
};
use vigo_policy::{Purpose, Role, Subject};
use vigo_tests::{TestApp, backends, count};

const YEAR: i32 = 2031;

#[tokio::test]
async fn a_round_places_explains_replays_and_moves_waiting_lists_up() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 100).await?;
        let pop = &app.population;
        let schools: Vec<_> = pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::School)
            .take(2)
            .collect();
        let area = pop
            .programme_areas
            .iter()
            .find(|a| a.level == "vg1")
            .expect("a Vg1 programme area");
        // School A has one place, school B two.
        for (school, capacity) in [(schools[0].id, 1), (schools[1].id, 2)] {
            school_offer::ActiveModel {
                school_id: Set(school),
                programme_area_id: Set(area.id),
                intake_year: Set(YEAR),
                capacity: Set(capacity),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
        }
        // Four applicants with a youth right, all wishing A before B, by points 50, 45, 40, 35.
        let persons: Vec<_> = pop.persons.iter().take(4).collect();
        let mut wishes = Vec::new();
        for (person, points) in persons.iter().zip([5000, 4500, 4000, 3500]) {
            education_right::ActiveModel {
                person_id: Set(person.id),
                kind: Set(RightKind::Youth),
                start_date: Set(chrono::NaiveDate::from_ymd_opt(YEAR, 8, 1).unwrap_or_default()),
                expires_on: Set(
                    chrono::NaiveDate::from_ymd_opt(YEAR + 5, 7, 31).unwrap_or_default()
                ),
                years: Set(3),
                programme_change_used: Set(false),
                assessment: Set("test".into()),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
            let made = application::ActiveModel {
                person_id: Set(person.id),
                intake_year: Set(YEAR),
                points_hundredths: Set(Some(points)),
                status: Set(ApplicationStatus::Submitted),
                submitted_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
            let mut own = Vec::new();
            for (rank, school) in [(1, schools[0].id), (2, schools[1].id)] {
                let wish = application_wish::ActiveModel {
                    application_id: Set(made.id),
                    rank: Set(rank),
                    school_id: Set(Some(school)),
                    programme_area_id: Set(area.id),
                    apprenticeship: Set(false),
                    status: Set(WishStatus::Pending),
                    ..Default::default()
                }
                .insert(&app.db)
                .await?;
                own.push(wish.id);
            }
            wishes.push(own);
        }
        let caseworker = Subject::new(
            Role::Caseworker,
            Purpose::Intake,
            None,
            None,
            "operator:test".into(),
        )?;
        let main = intake::run(&app.db, YEAR, IntakeRound::Main, 7, &caseworker).await?;
        assert_eq!(
            (main.applicants, main.placed, main.first_wish, main.waiting),
            (4, 3, 1, 3),
            "{backend:?}"
        );
        let offered = |wish: i32| {
            let db = app.db.clone();
            async move {
                anyhow::Ok(
                    offer::Entity::find()
                        .filter(offer::Column::WishId.eq(wish))
                        .all(&db)
                        .await?,
                )
            }
        };
        assert_eq!(offered(wishes[0][0]).await?.len(), 1, "the best gets A");
        assert_eq!(offered(wishes[1][1]).await?.len(), 1, "the second gets B");
        assert_eq!(offered(wishes[2][1]).await?.len(), 1, "the third gets B");
        assert!(offered(wishes[3][0]).await?.is_empty() && offered(wishes[3][1]).await?.is_empty());
        // Each applicant's decision explains itself, in their words.
        let decisions = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("allocation"))
            .filter(automated_decision::Column::Outcome.contains("2031"))
            .all(&app.db)
            .await?;
        assert_eq!(decisions.len(), 4);
        let of = |person: i32| {
            decisions
                .iter()
                .find(|d| d.person_id == person)
                .map(|d| d.explanation.clone())
                .unwrap_or_default()
        };
        let second = of(persons[1].id);
        assert!(
            second.starts_with(&format!(
                "Du fikk tilbud på ønske 2, {}, {}. Du hadde 45,00 poeng. Den siste som fikk plass på ønske 1 hadde 50,00 poeng. Du står som nummer 1 på venteliste til ønske 1.",
                schools[1].name, area.name
            )),
            "{second}"
        );
        assert!(second.contains("You were offered wish 2"));
        assert!(of(persons[3].id).starts_with("Du fikk ikke tilbud"));
        // The person reads it through the API.
        let student = app.token(Role::Student, Some(&persons[1].national_id));
        let body = app
            .query(
                &student,
                "{ me { decisions { kind outcome explanation } } }",
                json!({}),
            )
            .await?;
        assert!(
            body.to_string()
                .contains("Den siste som fikk plass på ønske 1"),
            "{body}"
        );

        // Once per round, here or through the API.
        let again = intake::run(&app.db, YEAR, IntakeRound::Main, 7, &caseworker).await;
        assert!(
            matches!(again, Err(IntakeError::AlreadyRun { .. })),
            "{again:?}"
        );
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "mutation($y: Int!) { runIntake(intakeYear: $y, round: MAIN, seed: \"7\") { run } }",
                json!({ "y": YEAR }),
            )
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("has run already"),
            "{body}"
        );
        // The run replays to the same result; a tampered record does not.
        let replayed = intake::replay(&app.db, main.run).await?;
        assert!(
            replayed.differences.is_empty(),
            "{:?}",
            replayed.differences
        );
        let stored = vigo_entities::intake_run::Entity::find_by_id(main.run)
            .one(&app.db)
            .await?
            .expect("the run is stored");
        let mut outcome: serde_json::Value = serde_json::from_str(&stored.outcome)?;
        outcome["assigned"][3] = json!(0);
        let mut tampered: vigo_entities::intake_run::ActiveModel = stored.clone().into();
        tampered.outcome = Set(outcome.to_string());
        tampered.update(&app.db).await?;
        let replayed = intake::replay(&app.db, main.run).await?;
        assert_eq!(replayed.differences.len(), 1, "{:?}", replayed.differences);
        let original = stored.outcome.clone();
        let mut restored: vigo_entities::intake_run::ActiveModel = stored.into();
        restored.outcome = Set(original);
        restored.update(&app.db).await?;

        // Answers: the best declines A; the second accepts B and waits for A; the third
        // accepts B. The supplementary round gives A to the second and B's freed place to
        // the fourth.
        // The second answers through the API, as applicants do: only their own offer, once.
        let body = app
            .query(
                &student,
                "{ me { applications { intakeYear wishes { rank offers { id answer } } } } }",
                json!({}),
            )
            .await?;
        let own_offer = body["data"]["me"]["applications"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|a| a["intakeYear"] == YEAR)
            .flat_map(|a| a["wishes"].as_array().cloned().unwrap_or_default())
            .flat_map(|w| w["offers"].as_array().cloned().unwrap_or_default())
            .find_map(|o| o["id"].as_str().map(str::to_owned))
            .unwrap_or_else(|| panic!("the second's offer: {body}"));
        let answer = "mutation($id: ID!, $a: OfferAnswer!) { answerOffer(offerId: $id, answer: $a) { id answer answeredAt } }";
        let body = app
            .query(
                &student,
                answer,
                json!({ "id": own_offer, "a": "ACCEPTED_WAITING" }),
            )
            .await?;
        assert_eq!(
            body["data"]["answerOffer"]["answer"], "ACCEPTED_WAITING",
            "{body}"
        );
        let body = app
            .query(
                &student,
                answer,
                json!({ "id": own_offer, "a": "DECLINED" }),
            )
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("answered already"),
            "{body}"
        );
        let others = offered(wishes[2][1])
            .await?
            .pop()
            .expect("the third's offer");
        let body = app
            .query(
                &student,
                answer,
                json!({ "id": format!("Offer:{}", others.id), "a": "DECLINED" }),
            )
            .await?;
        let refused = body["errors"][0]["message"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        let body = app
            .query(
                &student,
                answer,
                json!({ "id": "Offer:999999", "a": "DECLINED" }),
            )
            .await?;
        assert_eq!(
            refused.replace(&others.id.to_string(), "N"),
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .replace("999999", "N"),
            "someone else's offer looks like one that does not exist"
        );
        assert_eq!(
            offered(wishes[2][1]).await?.pop().map(|o| o.answer),
            Some(OfferAnswer::Unanswered)
        );
        // Not before every answer is in, or its deadline has passed.
        let early = intake::run(&app.db, YEAR, IntakeRound::Supplementary, 8, &caseworker).await;
        assert!(
            matches!(early, Err(IntakeError::AnswersOutstanding { open: 2, .. })),
            "{early:?}"
        );
        for (wish, answer) in [
            (wishes[0][0], OfferAnswer::Declined),
            (wishes[2][1], OfferAnswer::Accepted),
        ] {
            let made = offered(wish).await?.pop().expect("an offer");
            let mut answered: offer::ActiveModel = made.into();
            answered.answer = Set(answer);
            answered.update(&app.db).await?;
        }
        // The supplementary round through the API, as a caseworker.
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "mutation($y: Int!) { runIntake(intakeYear: $y, round: SUPPLEMENTARY, seed: \"8\") { run round seed applicants placed } }",
                json!({ "y": YEAR }),
            )
            .await?;
        let supplementary = &body["data"]["runIntake"];
        assert_eq!(supplementary["round"], "SUPPLEMENTARY", "{body}");
        assert_eq!(supplementary["seed"], "8");
        assert_eq!(supplementary["placed"], 3, "{body}");
        assert_eq!(supplementary["applicants"], 3, "who declined is out");
        let round_offers = |wish: i32| {
            let db = app.db.clone();
            async move {
                anyhow::Ok(
                    offer::Entity::find()
                        .filter(offer::Column::WishId.eq(wish))
                        .filter(offer::Column::Round.eq(IntakeRound::Supplementary))
                        .count(&db)
                        .await?,
                )
            }
        };
        assert_eq!(
            round_offers(wishes[1][0]).await?,
            1,
            "the second moves up to A"
        );
        assert_eq!(
            round_offers(wishes[3][1]).await?,
            1,
            "the fourth gets the freed B"
        );
        assert_eq!(
            round_offers(wishes[2][1]).await?,
            0,
            "a kept place is not offered again"
        );
        assert_eq!(round_offers(wishes[0][0]).await?, 0, "who declined is out");
        let events = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE 'Intake.run%' OR e.operation = 'Mutation.runIntake'",
            "SELECT COUNT(*) AS n FROM audit_event_person p JOIN audit_event e ON e.id = p.audit_event_id WHERE e.operation LIKE 'Intake.run%' OR e.operation = 'Mutation.runIntake'",
        )
        .await?;
        assert_eq!(
            events, 7,
            "{backend:?}: each run links the persons it decided (who declined is not decided again)"
        );
    }
    Ok(())
}

#[tokio::test]
async fn points_are_computed_from_lower_secondary_grades_and_explained() -> anyhow::Result<()> {
    use vigo_entities::enums::ResultKind;
    use vigo_entities::subject_result;
    for backend in backends() {
        let app = TestApp::new(backend, 40).await?;
        let persons: Vec<_> = app.population.persons.iter().take(2).collect();
        // The first: 4, 5, 5, an exam 4, conduct 6 (not counted), electives 3 and 6 (4.5):
        // (4 + 5 + 5 + 4 + 4.5) × 10 / 5 = 45.00. The second: two IV of three: individual.
        let grades: [&[(&str, ResultKind, &str)]; 2] = [
            &[
                ("NOR", ResultKind::LowerSecondaryFinal, "4"),
                ("MAT", ResultKind::LowerSecondaryFinal, "5"),
                ("ENG", ResultKind::LowerSecondaryFinal, "5"),
                ("MAT-EKS", ResultKind::LowerSecondaryExam, "4"),
                ("ATF", ResultKind::LowerSecondaryFinal, "6"),
                ("VAL-A", ResultKind::LowerSecondaryFinal, "3"),
                ("VAL-B", ResultKind::LowerSecondaryFinal, "6"),
            ],
            &[
                ("NOR", ResultKind::LowerSecondaryFinal, "IV"),
                ("MAT", ResultKind::LowerSecondaryFinal, "IV"),
                ("ENG", ResultKind::LowerSecondaryFinal, "3"),
            ],
        ];
        for (person, grades) in persons.iter().zip(grades) {
            // Only these grades count for this test's intake: the seeded ones are removed.
            subject_result::Entity::delete_many()
                .filter(subject_result::Column::PersonId.eq(person.id))
                .exec(&app.db)
                .await?;
            for (subject, kind, grade) in grades {
                subject_result::ActiveModel {
                    person_id: Set(person.id),
                    school_id: Set(None),
                    enrolment_id: Set(None),
                    subject_code: Set((*subject).to_owned()),
                    grade: Set((*grade).to_owned()),
                    kind: Set(*kind),
                    school_year: Set(YEAR + 1),
                    ..Default::default()
                }
                .insert(&app.db)
                .await?;
            }
            application::ActiveModel {
                person_id: Set(person.id),
                intake_year: Set(YEAR + 2),
                points_hundredths: Set(None),
                status: Set(ApplicationStatus::Submitted),
                submitted_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
        }
        // Through the API, as a caseworker; a school may not.
        let points = "mutation($y: Int!) { computePoints(intakeYear: $y) { applications withPoints individualHandling } }";
        let school = app.token(Role::School, None);
        let body = app.query(&school, points, json!({ "y": YEAR + 2 })).await?;
        assert_eq!(vigo_tests::error_code(&body), Some("FORBIDDEN"), "{body}");
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                points,
                json!({ "y": YEAR + 2 }),
            )
            .await?;
        assert_eq!(
            body["data"]["computePoints"],
            json!({ "applications": 2, "withPoints": 1, "individualHandling": 1 }),
            "{backend:?}: {body}"
        );
        let stored = application::Entity::find()
            .filter(application::Column::IntakeYear.eq(YEAR + 2))
            .all(&app.db)
            .await?;
        let of = |person: i32| stored.iter().find(|a| a.person_id == person).cloned();
        assert_eq!(
            of(persons[0].id).and_then(|a| a.points_hundredths),
            Some(4500)
        );
        assert_eq!(
            of(persons[1].id).map(|a| a.status),
            Some(ApplicationStatus::IndividualHandling)
        );
        let explained = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("intake_points"))
            .filter(automated_decision::Column::PersonId.eq(persons[0].id))
            .filter(automated_decision::Column::Outcome.contains("2033"))
            .one(&app.db)
            .await?
            .map(|d| d.explanation)
            .unwrap_or_default();
        assert!(
            explained
                .starts_with("Du har 45,00 poeng: summen av de 5 karakterene som teller er 22,50"),
            "{explained}"
        );
    }
    Ok(())
}

#[tokio::test]
async fn rights_are_assessed_from_history_with_the_rule_and_an_explanation() -> anyhow::Result<()> {
    use std::collections::HashMap;
    use vigo_entities::enums::ResultKind;
    for backend in backends() {
        let app = TestApp::new(backend, 150).await?;
        let assess = "mutation { assessRights { persons youth adult none } }";
        let body = app
            .query(&app.token(Role::School, None), assess, json!({}))
            .await?;
        assert_eq!(vigo_tests::error_code(&body), Some("FORBIDDEN"), "{body}");
        let body = app
            .query(&app.token(Role::Caseworker, None), assess, json!({}))
            .await?;
        let run = &body["data"]["assessRights"];
        assert_eq!(run["persons"], 150, "{body}");
        let youth = run["youth"].as_u64().unwrap_or(0);
        assert!(youth > 0, "{body}");
        let rights = education_right::Entity::find().all(&app.db).await?;
        assert_eq!(
            rights.len() as u64,
            youth + run["adult"].as_u64().unwrap_or(0),
            "{backend:?}"
        );
        // Every youth right starts after lower secondary and lasts five to seven years, by
        // the rule it names; checked against the population, not the code that assessed it.
        let finished: HashMap<i32, i32> = app
            .population
            .subject_results
            .iter()
            .filter(|r| r.kind == ResultKind::LowerSecondaryFinal)
            .fold(HashMap::new(), |mut m, r| {
                let year = m.entry(r.person_id).or_insert(r.school_year);
                *year = (*year).max(r.school_year);
                m
            });
        for right in rights.iter().filter(|r| r.kind == RightKind::Youth) {
            use chrono::Datelike;
            let lower = finished[&right.person_id];
            assert!(
                right.start_date
                    >= chrono::NaiveDate::from_ymd_opt(lower + 1, 8, 1).unwrap_or_default()
            );
            let span = right.expires_on.year() - right.start_date.year();
            let expected = if right.assessment.contains("(apprenticeship)") {
                6
            } else {
                5
            } + i32::from(right.programme_change_used);
            assert_eq!(span, expected, "{right:?}");
            assert!(
                right.assessment.starts_with("youth-right:"),
                "{}",
                right.assessment
            );
        }
        let explained = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("education_right"))
            .count(&app.db)
            .await?;
        assert_eq!(explained, 150);
        let events = count(
            &app.db,
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation = 'Mutation.assessRights'",
            "SELECT COUNT(*) AS n FROM audit_event WHERE operation = 'Mutation.assessRights'",
        )
        .await?;
        assert_eq!(events, 1);
    }
    Ok(())
}
