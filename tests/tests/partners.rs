//! What the portals build on, on both backends: the `persons` filters a partner needs (a
//! company's applicants by trade, its apprentices, a school's offered applicants) return
//! exactly the persons the seeded data says, inside the caller's scope, and only for callers
//! whose mask covers what they test; `ownOrganisation`; and OT's one write, a follow-up
//! status for its target group, which reaches no one outside it.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use vigo_entities::enums::OrganisationKind;
use vigo_policy::{Role, Today};
use vigo_tests::{TestApp, backends, error_code, unused_national_id};

const PAGE: &str = "query($filter: PersonFilter) { persons(first: 100, filter: $filter) { totalCount edges { node { nationalId } } } }";

async fn listed(app: &TestApp, token: &str, filter: Value) -> anyhow::Result<BTreeSet<String>> {
    let body = app.query(token, PAGE, json!({ "filter": filter })).await?;
    anyhow::ensure!(body["errors"].is_null(), "{filter}: {body}");
    let total = body["data"]["persons"]["totalCount"].as_u64().unwrap_or(0);
    anyhow::ensure!(total <= 100, "{filter}: {total} do not fit a page");
    Ok(body["data"]["persons"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["nationalId"].as_str().map(str::to_owned))
        .collect())
}

fn national_ids(app: &TestApp, ids: impl IntoIterator<Item = i32>) -> BTreeSet<String> {
    let ids: BTreeSet<i32> = ids.into_iter().collect();
    app.population
        .persons
        .iter()
        .filter(|p| ids.contains(&p.id))
        .map(|p| p.national_id.clone())
        .collect()
}

#[tokio::test]
async fn a_companys_filters_give_exactly_its_applicants_by_trade_and_its_apprentices()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 500).await?;
        let pop = &app.population;
        let today = Today::now();
        let year = today.intake_year();
        // The persons with an application of `year` wishing an apprenticeship in `trade`.
        let wishing = |trade: i32| {
            national_ids(
                &app,
                pop.applications
                    .iter()
                    .filter(|a| a.intake_year == year)
                    .filter(|a| {
                        pop.wishes.iter().any(|w| {
                            w.application_id == a.id
                                && w.apprenticeship
                                && w.programme_area_id == trade
                        })
                    })
                    .map(|a| a.person_id),
            )
        };
        let mut checked = 0;
        for company in pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Company)
        {
            let token = app.token_for(Role::Company, Some(&company.org_no), None, None);
            let trades: Vec<_> = pop
                .approved_trades
                .iter()
                .filter(|t| t.organisation_id == company.id)
                .collect();
            let mut all_trades = BTreeSet::new();
            for approved in &trades {
                let code = &pop
                    .programme_areas
                    .iter()
                    .find(|a| a.id == approved.programme_area_id)
                    .expect("the trade")
                    .code;
                let found =
                    listed(&app, &token, json!({ "intakeYear": year, "trade": code })).await?;
                assert_eq!(
                    found,
                    wishing(approved.programme_area_id),
                    "{backend:?} {} {code}",
                    company.name
                );
                checked += found.len();
                all_trades.extend(found);
            }
            // Without a trade: the applicants of every trade of the company, no one else.
            let every = listed(&app, &token, json!({ "intakeYear": year })).await?;
            assert_eq!(every, all_trades, "{backend:?} {}", company.name);
            // Apprentices: contracts with the company running or ended within a year.
            let since = today.contracts_ended_since();
            let apprentices = national_ids(
                &app,
                pop.contracts
                    .iter()
                    .filter(|c| {
                        c.company_id == company.id || c.training_office_id == Some(company.id)
                    })
                    .filter(|c| c.end_date >= since)
                    .map(|c| c.person_id),
            );
            assert_eq!(
                listed(&app, &token, json!({ "hasContract": true })).await?,
                apprentices,
                "{backend:?}"
            );
            let others = listed(&app, &token, json!({ "hasContract": false })).await?;
            assert!(others.is_disjoint(&apprentices));
            let whole = listed(&app, &token, json!({})).await?;
            assert_eq!(
                &others | &apprentices,
                whole,
                "{backend:?}: true and false split the scope"
            );
        }
        assert!(
            checked > 0,
            "{backend:?}: some applicants were filtered by trade"
        );
        // A filter no one may use reads nothing: OT's mask has no wishes.
        let ot = app.token(Role::Ot, None);
        for filter in [json!({ "trade": "ELELE1----" }), json!({ "offered": true })] {
            let body = app.query(&ot, PAGE, json!({ "filter": filter })).await?;
            assert_eq!(
                error_code(&body),
                Some("FORBIDDEN"),
                "{backend:?} {filter}: {body}"
            );
        }
        let body = app
            .query(&ot, PAGE, json!({ "filter": { "trade": "no" } }))
            .await?;
        assert!(body["errors"].is_array(), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn a_school_finds_exactly_the_applicants_offered_a_place_there() -> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 500).await?;
        let pop = &app.population;
        let year = Today::now().intake_year();
        let mut seen = 0;
        for school in pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::School)
        {
            let token = app.token_for(Role::School, Some(&school.org_no), None, None);
            let offered_wishes: BTreeSet<i32> = pop.offers.iter().map(|o| o.wish_id).collect();
            let expected = national_ids(
                &app,
                pop.applications
                    .iter()
                    .filter(|a| a.intake_year == year)
                    .filter(|a| {
                        pop.wishes.iter().any(|w| {
                            w.application_id == a.id
                                && w.school_id == Some(school.id)
                                && offered_wishes.contains(&w.id)
                        })
                    })
                    .map(|a| a.person_id),
            );
            let found =
                listed(&app, &token, json!({ "intakeYear": year, "offered": true })).await?;
            assert_eq!(found, expected, "{backend:?} {}", school.name);
            seen += found.len();
        }
        assert!(seen > 0, "{backend:?}: some applicants were offered places");
    }
    Ok(())
}

#[tokio::test]
async fn a_partner_reads_its_own_organisation_and_ot_registers_statuses_in_its_target_group_only()
-> anyhow::Result<()> {
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let query = "{ caller { organisation } ownOrganisation { orgNo name } }";
        for role in [Role::Company, Role::School, Role::Ot] {
            let body = app.query(&app.token(role, None), query, json!({})).await?;
            assert!(body["errors"].is_null(), "{role}: {body}");
            assert_eq!(
                body["data"]["ownOrganisation"]["orgNo"], body["data"]["caller"]["organisation"],
                "{role}"
            );
        }
        let student = app.token(Role::Student, Some(&app.population.persons[0].national_id));
        let body = app.query(&student, query, json!({})).await?;
        assert!(body["data"]["ownOrganisation"].is_null(), "{body}");

        let ot = app.token(Role::Ot, None);
        let group = listed(&app, &ot, json!({})).await?;
        let inside = group.iter().next().expect("OT's target group").clone();
        let outside = app
            .population
            .persons
            .iter()
            .find(|p| !group.contains(&p.national_id))
            .expect("someone outside the target group")
            .national_id
            .clone();
        let set = "mutation($n: String!) { setFollowUpStatus(nationalId: $n, code: \"OTUK\", schoolYear: 2026) { code } }";
        let body = app.query(&ot, set, json!({ "n": inside })).await?;
        assert_eq!(
            body["data"]["setFollowUpStatus"]["code"], "OTUK",
            "{backend:?}: {body}"
        );
        // Outside the target group: refused exactly as a person who does not exist.
        let refused = app.query(&ot, set, json!({ "n": outside })).await?;
        let absent = app
            .query(&ot, set, json!({ "n": unused_national_id(5) }))
            .await?;
        assert!(refused["data"]["setFollowUpStatus"].is_null(), "{refused}");
        assert_eq!(
            refused["errors"][0]["message"], absent["errors"][0]["message"],
            "{backend:?}"
        );
        // OT's grant is this one write: registering persons stays the caseworkers'.
        let register = "mutation($n: String!) { registerPerson(input: { nationalId: $n, givenName: \"A\", familyName: \"B\", citizenship: \"NO\" }) { id } }";
        let body = app
            .query(&ot, register, json!({ "n": unused_national_id(6) }))
            .await?;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{body}");
    }
    Ok(())
}

#[tokio::test]
async fn ots_target_group_is_exactly_the_youth_rights_in_force_outside_school_and_work()
-> anyhow::Result<()> {
    use vigo_entities::enums::{ContractStatus, EnrolmentStatus, RightKind};
    for backend in backends() {
        let app = TestApp::new(backend, 300).await?;
        let pop = &app.population;
        let today = Today::now();
        let busy: BTreeSet<i32> = pop
            .enrolments
            .iter()
            .filter(|e| e.status == EnrolmentStatus::Active)
            .map(|e| e.person_id)
            .chain(
                pop.contracts
                    .iter()
                    .filter(|c| c.status == ContractStatus::Approved)
                    .map(|c| c.person_id),
            )
            .collect();
        let expected = national_ids(
            &app,
            pop.education_rights
                .iter()
                .filter(|r| r.kind == RightKind::Youth && r.expires_on >= today.date)
                .map(|r| r.person_id)
                .filter(|p| !busy.contains(p)),
        );
        assert!(
            !expected.is_empty() && expected.len() <= 100,
            "{}",
            expected.len()
        );
        let ot = app.token(Role::Ot, None);
        assert_eq!(listed(&app, &ot, json!({})).await?, expected, "{backend:?}");
    }
    Ok(())
}

/// Every person a token reaches, page by page, and the total count each page gave.
async fn everyone(app: &TestApp, token: &str) -> anyhow::Result<(BTreeSet<String>, Vec<u64>)> {
    const PAGES: &str = "query($after: String) { persons(first: 100, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { nationalId } } } }";
    let mut reached = BTreeSet::new();
    let mut totals = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app.query(token, PAGES, json!({ "after": after })).await?;
        anyhow::ensure!(body["errors"].is_null(), "{body}");
        let page = &body["data"]["persons"];
        totals.push(page["totalCount"].as_u64().unwrap_or(0));
        reached.extend(
            page["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["node"]["nationalId"].as_str().map(str::to_owned)),
        );
        if page["pageInfo"]["hasNextPage"] != json!(true) {
            return Ok((reached, totals));
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// The row scopes, as one set of person ids per scope joined by `UNION`, reach exactly the
/// persons DOMAIN.md says: a school its pupils of this and last school year and the
/// applicants offered a place there in the current intake; a company (two scopes) its
/// applicants for its trades in the current and coming intake and its apprentices. The
/// count beside every page is the number reached.
#[tokio::test]
async fn schools_and_companies_reach_exactly_their_scopes() -> anyhow::Result<()> {
    use vigo_entities::enums::WishStatus;
    for backend in backends() {
        let app = TestApp::new(backend, 400).await?;
        let pop = &app.population;
        let today = Today::now();
        let offered: BTreeSet<i32> = pop.offers.iter().map(|o| o.wish_id).collect();
        let mut schools = 0;
        for school in pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::School)
        {
            let pupils = pop
                .enrolments
                .iter()
                .filter(|e| {
                    e.school_id == school.id
                        && [today.school_year(), today.school_year() - 1].contains(&e.school_year)
                })
                .map(|e| e.person_id);
            let applicants = pop
                .applications
                .iter()
                .filter(|a| a.intake_year == today.intake_year())
                .filter(|a| {
                    pop.wishes.iter().any(|w| {
                        w.application_id == a.id
                            && w.school_id == Some(school.id)
                            && offered.contains(&w.id)
                    })
                })
                .map(|a| a.person_id);
            let expected = national_ids(&app, pupils.chain(applicants));
            let token = app.token_for(Role::School, Some(&school.org_no), None, None);
            let (reached, totals) = everyone(&app, &token).await?;
            assert_eq!(reached, expected, "{backend:?} {}", school.name);
            assert!(
                totals.iter().all(|t| *t as usize == expected.len()),
                "{totals:?}"
            );
            schools += usize::from(!expected.is_empty());
        }
        assert!(schools > 1, "{backend:?}: schools with pupils");
        let mut companies = 0;
        for company in pop
            .organisations
            .iter()
            .filter(|o| o.kind == OrganisationKind::Company)
        {
            let trades: BTreeSet<i32> = pop
                .approved_trades
                .iter()
                .filter(|t| t.organisation_id == company.id)
                .map(|t| t.programme_area_id)
                .collect();
            let applicants = pop
                .applications
                .iter()
                .filter(|a| [today.intake_year(), today.intake_year() + 1].contains(&a.intake_year))
                .filter(|a| {
                    pop.wishes.iter().any(|w| {
                        w.application_id == a.id
                            && w.apprenticeship
                            && w.status != WishStatus::Withdrawn
                            && trades.contains(&w.programme_area_id)
                    })
                })
                .map(|a| a.person_id);
            let apprentices = pop
                .contracts
                .iter()
                .filter(|c| {
                    (c.company_id == company.id || c.training_office_id == Some(company.id))
                        && c.end_date >= today.contracts_ended_since()
                })
                .map(|c| c.person_id);
            let expected = national_ids(&app, applicants.chain(apprentices));
            let token = app.token_for(Role::Company, Some(&company.org_no), None, None);
            let (reached, totals) = everyone(&app, &token).await?;
            assert_eq!(reached, expected, "{backend:?} {}", company.name);
            assert!(
                totals.iter().all(|t| *t as usize == expected.len()),
                "{totals:?}"
            );
            companies += usize::from(!expected.is_empty());
        }
        assert!(
            companies > 1,
            "{backend:?}: companies with applicants or apprentices"
        );
    }
    Ok(())
}
