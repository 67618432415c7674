//! Apprenticeship placement against the database, on both backends: applicants are offered to
//! approved companies with free positions by points, each decision explained; a company sees
//! and answers only the placements made to it; a declined applicant goes to another company
//! in the next run, never the same one; every run replays.

use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set};
use serde_json::json;
use vigo_api::intake;
use vigo_entities::enums::{
    ApplicationStatus, ContractStatus, IntakeRound, OfferAnswer, OrganisationKind, WishStatus,
};
use vigo_entities::{
    application, application_wish, apprenticeship_contract, approved_trade, audit_event,
    automated_decision, offer,
};
use vigo_policy::{Purpose, Role, Subject};
use vigo_tests::{TestApp, backends};

/// The coming intake, which a company's scope reaches.
fn year() -> i32 {
    vigo_policy::Today::now().intake_year() + 1
}

#[tokio::test]
async fn companies_get_applicants_by_points_and_answer_only_their_own() -> anyhow::Result<()> {
    let year = year();
    for backend in backends() {
        let app = TestApp::new(backend, 120).await?;
        let pop = &app.population;
        // A trade with two approved companies: each gets exactly one free position, and every
        // other approver of the trade none.
        let company_ids: Vec<i32> = pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Company)
            .map(|o| o.id)
            .collect();
        let trade = pop
            .programme_areas
            .iter()
            .filter(|a| a.level == "apprenticeship")
            .find(|a| {
                pop.approved_trades
                    .iter()
                    .filter(|t| {
                        t.programme_area_id == a.id && company_ids.contains(&t.organisation_id)
                    })
                    .count()
                    >= 2
            })
            .expect("a trade with two approved companies");
        let mut approvers: Vec<&approved_trade::Model> = pop
            .approved_trades
            .iter()
            .filter(|t| t.programme_area_id == trade.id && company_ids.contains(&t.organisation_id))
            .collect();
        approvers.sort_by_key(|t| t.organisation_id);
        let (low, high) = (approvers[0], approvers[1]);
        approved_trade::Entity::update_many()
            .col_expr(
                approved_trade::Column::Positions,
                sea_orm::sea_query::Expr::value(0),
            )
            .filter(approved_trade::Column::ProgrammeAreaId.eq(trade.id))
            .exec(&app.db)
            .await?;
        let today = vigo_policy::Today::now().date;
        for row in [low, high] {
            let running = apprenticeship_contract::Entity::find()
                .filter(apprenticeship_contract::Column::CompanyId.eq(row.organisation_id))
                .filter(apprenticeship_contract::Column::ProgrammeAreaId.eq(trade.id))
                .filter(
                    apprenticeship_contract::Column::Status
                        .is_in([ContractStatus::Draft, ContractStatus::Approved]),
                )
                .filter(apprenticeship_contract::Column::EndDate.gte(today))
                .count(&app.db)
                .await?;
            let mut active: approved_trade::ActiveModel = row.clone().into();
            active.positions = Set(running as i32 + 1);
            active.update(&app.db).await?;
        }
        let org = |id: i32| {
            pop.organisations
                .iter()
                .find(|o| o.id == id)
                .expect("the company")
        };
        let (first, second) = (org(low.organisation_id), org(high.organisation_id));

        // Three applicants wishing the trade, with 50, 45 and 40 points.
        let persons: Vec<_> = pop
            .persons
            .iter()
            .filter(|p| p.deceased_on.is_none())
            .take(3)
            .collect();
        let mut wishes = Vec::new();
        for (person, points) in persons.iter().zip([5000, 4500, 4000]) {
            let made = application::ActiveModel {
                person_id: Set(person.id),
                intake_year: Set(year),
                points_hundredths: Set(Some(points)),
                status: Set(ApplicationStatus::Submitted),
                submitted_at: Set(chrono::Utc::now()),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
            let wish = application_wish::ActiveModel {
                application_id: Set(made.id),
                rank: Set(1),
                school_id: Set(None),
                programme_area_id: Set(trade.id),
                apprenticeship: Set(true),
                status: Set(WishStatus::Pending),
                ..Default::default()
            }
            .insert(&app.db)
            .await?;
            wishes.push(wish.id);
        }
        let caseworker = Subject::new(
            Role::Caseworker,
            Purpose::Intake,
            None,
            None,
            "operator:test".into(),
        )?;
        let run = intake::placement::place(&app.db, year, 11, &caseworker).await?;
        assert_eq!((run.applicants, run.placed), (3, 2), "{backend:?}");
        assert!(run.positions >= 2 && run.companies >= 2, "{run:?}");
        let offer_of = |wish: i32| {
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
        let best = offer_of(wishes[0]).await?;
        assert_eq!(best.len(), 1);
        assert_eq!(best[0].company_id, Some(first.id), "the best goes first");
        assert_eq!(best[0].round, IntakeRound::Placement);
        assert_eq!(
            offer_of(wishes[1]).await?[0].company_id,
            Some(second.id),
            "the second to the other company"
        );
        assert!(
            offer_of(wishes[2]).await?.is_empty(),
            "no room for the third"
        );
        let decisions = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("apprenticeship_placement"))
            .all(&app.db)
            .await?;
        let of = |person: i32| {
            decisions
                .iter()
                .find(|d| d.person_id == person)
                .map(|d| d.explanation.clone())
                .unwrap_or_default()
        };
        assert!(
            of(persons[0].id).starts_with(&format!(
                "Du er formidlet til {} for læreplass i {} (ønske 1).",
                first.name, trade.name
            )),
            "{}",
            of(persons[0].id)
        );
        let third = of(persons[2].id);
        assert!(
            third.starts_with("Du ble ikke formidlet til læreplass i denne runden. Du hadde 40,00 poeng. Den siste som fikk plass på ønske 1 hadde 45,00 poeng."),
            "{third}"
        );

        // Each company sees the placement made to it, and not the other's.
        let first_token = app.token_for(Role::Company, Some(&first.org_no), None, None);
        let second_token = app.token_for(Role::Company, Some(&second.org_no), None, None);
        let placements = "query($n: String!) { person(nationalId: $n) { applications { wishes { offers { id answer company { name } } } } } }";
        let offers_seen = |body: &serde_json::Value| -> Vec<serde_json::Value> {
            body["data"]["person"]["applications"]
                .as_array()
                .into_iter()
                .flatten()
                .flat_map(|a| a["wishes"].as_array().cloned().unwrap_or_default())
                .flat_map(|w| w["offers"].as_array().cloned().unwrap_or_default())
                .collect()
        };
        let body = app
            .query(
                &first_token,
                placements,
                json!({ "n": persons[0].national_id }),
            )
            .await?;
        let seen = offers_seen(&body);
        assert_eq!(seen.len(), 1, "{body}");
        assert_eq!(seen[0]["company"]["name"], first.name.as_str());
        assert_eq!(seen[0]["answer"], "UNANSWERED");
        let body = app
            .query(
                &first_token,
                placements,
                json!({ "n": persons[1].national_id }),
            )
            .await?;
        assert!(
            body["errors"].is_null() && offers_seen(&body).is_empty(),
            "another company's placement stays unseen: {body}"
        );

        // Only the company a placement was made to answers it, once; not the applicant.
        let answer = "mutation($id: ID!, $a: Boolean!) { answerPlacement(offerId: $id, accept: $a) { answer answeredAt } }";
        let id = format!("Offer:{}", best[0].id);
        let body = app
            .query(&second_token, answer, json!({ "id": id, "a": true }))
            .await?;
        let message = body["errors"][0]["message"].as_str().unwrap_or("");
        assert!(
            message.contains(&format!("no placement {} to your company", best[0].id)),
            "{body}"
        );
        let missing = app
            .query(
                &second_token,
                answer,
                json!({ "id": "Offer:999999", "a": true }),
            )
            .await?;
        assert_eq!(
            missing["errors"][0]["message"]
                .as_str()
                .map(|m| m.replace("999999", "N")),
            Some(message.replace(&best[0].id.to_string(), "N")),
            "another company's placement is refused as one that does not exist"
        );
        let student = app.token(Role::Student, Some(&persons[0].national_id));
        let body = app
            .query(
                &student,
                "mutation($id: ID!) { answerOffer(offerId: $id, answer: ACCEPTED) { answer } }",
                json!({ "id": id }),
            )
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("the company it was made to answers it"),
            "{body}"
        );
        let school = app.token(Role::School, None);
        let body = app
            .query(&school, answer, json!({ "id": id, "a": true }))
            .await?;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "FORBIDDEN",
            "{body}"
        );
        let body = app
            .query(&first_token, answer, json!({ "id": id, "a": false }))
            .await?;
        assert_eq!(
            body["data"]["answerPlacement"]["answer"], "DECLINED",
            "{body}"
        );
        let body = app
            .query(&first_token, answer, json!({ "id": id, "a": true }))
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("answered already"),
            "{body}"
        );
        let recorded = audit_event::Entity::find()
            .filter(audit_event::Column::Operation.contains("answerPlacement"))
            .filter(audit_event::Column::ActorOrg.eq(first.org_no.as_str()))
            .count(&app.db)
            .await?;
        assert!(recorded >= 1, "the answer is in the audit trail");

        // The next run offers the third to the company that declined the best, and the best
        // to no one: the other company is full, and the first will not be asked again.
        let body = app
            .query(
                &app.token(Role::Caseworker, None),
                "mutation($y: Int!) { placeApprentices(intakeYear: $y, seed: \"12\") { run applicants placed } }",
                json!({ "y": year }),
            )
            .await?;
        let again = &body["data"]["placeApprentices"];
        assert_eq!(
            (again["applicants"].as_i64(), again["placed"].as_i64()),
            (Some(2), Some(1)),
            "{body}"
        );
        let third_offers = offer_of(wishes[2]).await?;
        assert_eq!(third_offers.len(), 1);
        assert_eq!(third_offers[0].company_id, Some(first.id));
        assert_eq!(third_offers[0].answer, OfferAnswer::Unanswered);
        assert_eq!(
            offer_of(wishes[0]).await?.len(),
            1,
            "no second offer to the best"
        );
        let latest = automated_decision::Entity::find()
            .filter(automated_decision::Column::Kind.eq("apprenticeship_placement"))
            .filter(automated_decision::Column::PersonId.eq(persons[0].id))
            .filter(automated_decision::Column::Outcome.contains("placement-2"))
            .one(&app.db)
            .await?
            .expect("the best's second decision");
        assert!(
            latest
                .explanation
                .contains("the companies with free positions have already declined you"),
            "{}",
            latest.explanation
        );
        // No answer within the deadline counts as a decline: the position is free again, and
        // the company is not asked about that applicant again.
        let mut lapsed: offer::ActiveModel = third_offers[0].clone().into();
        lapsed.offered_at = Set(chrono::Utc::now() - chrono::Duration::days(8));
        lapsed.update(&app.db).await?;
        let body = app
            .query(
                &first_token,
                answer,
                json!({ "id": format!("Offer:{}", third_offers[0].id), "a": true }),
            )
            .await?;
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap_or("")
                .contains("deadline"),
            "{body}"
        );
        let third_run = intake::placement::place(&app.db, year, 13, &caseworker).await?;
        assert_eq!(
            (third_run.applicants, third_run.placed),
            (2, 0),
            "both were turned down by the one company with room: {third_run:?}"
        );
        for run in [run.run, again["run"].as_i64().unwrap_or_default() as i32] {
            let replayed = intake::replay(&app.db, run).await?;
            assert!(
                replayed.differences.is_empty(),
                "{:?}",
                replayed.differences
            );
        }
    }
    Ok(())
}
