//! The web modules at `/portal/`: served from the binary under a strict Content-Security-
//! Policy; every GraphQL document the pages send is valid against the schema and asks for
//! what its role is meant to get; and, in a real browser, a company reads its applicants
//! (exactly those the API gives its token), the pupil finds that read in their access log and
//! downloads their export, an applicant answers an offer, OT sees phone but not e-mail or
//! grades and registers a status, a school lists its pupils; a token of one role opening
//! another role's page sees nothing, an expired session and a lost connection are told in
//! words, with a retry.

use std::collections::BTreeSet;
use std::time::Duration;

use axum::http::StatusCode;
use fantoccini::Locator;
use serde_json::{Value, json};
use vigo_api::portal::FILES;
use vigo_api::server::DemoToken;
use vigo_policy::{Role, Today};
use vigo_tests::browser::{Browser, serve};
use vigo_tests::{Backend, TestApp};

#[tokio::test]
async fn the_portals_are_served_from_the_binary_under_a_strict_policy() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 10).await?;
    for (path, content_type, bytes) in FILES {
        let (status, headers, body) = app.get_text(&format!("/portal/{path}")).await?;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert_eq!(headers["content-type"], *content_type, "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(body.as_bytes(), *bytes, "{path}");
        let policy = headers["content-security-policy"].to_str()?.to_owned();
        assert!(
            policy.contains("frame-ancestors 'none'"),
            "{path}: {policy}"
        );
        assert!(!policy.contains("unsafe"), "{path}: {policy}");
        if path.ends_with(".html") {
            for directive in [
                "default-src 'none'",
                "script-src 'self';",
                "connect-src 'self'",
            ] {
                assert!(
                    policy.contains(directive),
                    "{path}: {directive} in {policy}"
                );
            }
            assert!(
                !body.contains("<script>") && !body.contains("<style"),
                "{path}: no inline code"
            );
            assert!(
                !body.contains("http://") && !body.contains("https://"),
                "{path}: nothing from elsewhere"
            );
            assert!(
                body.contains("data-text=\"logged"),
                "{path}: the notice that views are logged"
            );
        }
    }
    // The demo's tokens are offered for the roles with a portal only.
    let demo = vigo_api::server::router(app.state.clone().with_demo_tokens(vec![
        DemoToken {
            role: Role::Ot,
            org: None,
            token: "ot-token".into(),
        },
        DemoToken {
            role: Role::PrivacyOfficer,
            org: None,
            token: "officer-token".into(),
        },
    ]));
    let (status, _, bytes) = vigo_tests::get(&demo, "/portal/demo-tokens").await?;
    assert_eq!(status, StatusCode::OK);
    let offered: Value = serde_json::from_slice(&bytes)?;
    assert_eq!(offered.as_array().map(Vec::len), Some(1), "{offered}");
    assert_eq!(offered[0]["role"], "ot");
    assert_eq!(offered[0]["token"], "ot-token");
    // Each portal is a directory; its bare name and the root lead there.
    for (from, to) in [
        ("/portal", "/portal/"),
        ("/portal/bedrift", "/portal/bedrift/"),
    ] {
        let (status, headers, _) = app.get_text(from).await?;
        assert!(status.is_redirection(), "{from}: {status}");
        assert_eq!(headers["location"], to);
    }
    let (status, _, page) = app.get_text("/portal/ot/").await?;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/portal/ot/ot.js"));
    // Only the demo offers tokens; a server has none to give. Nothing else is served.
    for path in [
        "/portal/demo-tokens",
        "/portal/../Cargo.toml",
        "/portal/ot/../../Cargo.toml",
        "/portal/nope.js",
    ] {
        let (status, _, _) = app.get_text(path).await?;
        assert_ne!(status, StatusCode::OK, "{path}");
    }
    Ok(())
}

/// The role each portal's documents are sent as.
fn role_of(path: &str) -> Option<Role> {
    match path.split('/').next() {
        Some("min-side") => Some(Role::Student),
        Some("bedrift") => Some(Role::Company),
        Some("skole") => Some(Role::School),
        Some("ot") => Some(Role::Ot),
        _ => None,
    }
}

/// The fields each document's role is refused under the default policy, which the page
/// shows as withheld.
fn withheld_by_design(path: &str) -> &'static [&'static str] {
    match path {
        "ot/target-group.graphql" => &["contact.email", "results"],
        _ => &[],
    }
}

/// Error codes that say the document was valid and ran: refusals and bad values.
fn ran(body: &Value) -> Result<(), String> {
    for error in body["errors"].as_array().into_iter().flatten() {
        let code = error["extensions"]["code"].as_str().unwrap_or("");
        if !matches!(code, "FORBIDDEN" | "BAD_USER_INPUT") {
            return Err(format!("{error}"));
        }
    }
    Ok(())
}

/// Every document the pages send, run as a caseworker (whose mask covers every field, so the
/// whole document is validated against the schema) and as the portal's own role: valid, and
/// refused exactly the fields the page is meant to show as withheld. A schema change that
/// breaks a portal fails here.
#[tokio::test]
async fn every_portal_document_is_valid_and_asks_only_for_what_its_role_gets() -> anyhow::Result<()>
{
    let app = TestApp::new(Backend::Sqlite, 150).await?;
    let person = app.population.persons[0].national_id.clone();
    let year = Today::now().intake_year();
    let school = app.token(Role::School, None);
    let school_org = org_of(&app, &school).await?;
    let company = app.token(Role::Company, None);
    let company_org = org_of(&app, &company).await?;
    let mut documents = 0;
    for (path, _, bytes) in FILES.iter().filter(|(p, _, _)| p.ends_with(".graphql")) {
        documents += 1;
        let text = std::str::from_utf8(bytes)?;
        let variables = json!({
            "orgNo": if path.starts_with("skole/") { &school_org } else { &company_org },
            "school": school_org,
            "intakeYear": year,
            "first": 20,
            "offerId": "Offer:999999",
            "answer": "ACCEPTED",
            "accept": true,
            "nationalId": "01010000000",
            "code": "OTUK",
            "schoolYear": year,
        });
        let roles: Vec<Role> = match role_of(path) {
            Some(role) => vec![Role::Caseworker, role],
            None => vec![
                Role::Caseworker,
                Role::Student,
                Role::Company,
                Role::School,
                Role::Ot,
            ],
        };
        for role in roles {
            let token = match role {
                Role::Student => app.token(role, Some(&person)),
                Role::School => school.clone(),
                Role::Company => company.clone(),
                _ => app.token(role, None),
            };
            let body = app.query(&token, text, variables.clone()).await?;
            ran(&body).map_err(|e| anyhow::anyhow!("{path} as {role}: {e}"))?;
            let mutation = text.lines().any(|l| l.starts_with("mutation"));
            if mutation || role == Role::Caseworker {
                continue;
            }
            assert!(
                body["data"]
                    .as_object()
                    .is_some_and(|d| d.values().all(|v| !v.is_null())),
                "{path} as {role}: {body}"
            );
            let refused: BTreeSet<String> = body["errors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|e| e["path"].as_array())
                .map(|p| {
                    p.iter()
                        .skip_while(|s| *s != "node" && *s != "me")
                        .skip(1)
                        .filter_map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .collect();
            let expected: BTreeSet<String> = withheld_by_design(path)
                .iter()
                .map(|s| (*s).to_owned())
                .collect();
            assert_eq!(refused, expected, "{path} as {role}: {body}");
        }
    }
    assert!(documents >= 10, "{documents} documents");
    Ok(())
}

async fn org_of(app: &TestApp, token: &str) -> anyhow::Result<String> {
    let body = app
        .query(token, "{ caller { organisation } }", json!({}))
        .await?;
    Ok(body["data"]["caller"]["organisation"]
        .as_str()
        .unwrap_or_default()
        .to_owned())
}

/// Clicks the element `css` finds.
async fn click(browser: &Browser, css: &str) -> anyhow::Result<()> {
    browser
        .client
        .find(Locator::Css(css))
        .await?
        .click()
        .await?;
    Ok(())
}

/// Signs in on `/portal/` with `token` as a user pastes it, and waits for the portal's page.
async fn sign_in(
    browser: &Browser,
    address: &std::net::SocketAddr,
    token: &str,
    ready: &str,
) -> anyhow::Result<u64> {
    let client = &browser.client;
    client.goto(&format!("http://{address}/portal/")).await?;
    browser
        .wait_for("return document.body.dataset.ready === 'sign-in';", WAIT)
        .await?;
    let field = client.find(Locator::Id("token")).await?;
    field.clear().await?;
    field.send_keys(token).await?;
    click(browser, "#sign-in-form button[type=submit]").await?;
    wait_ready(browser, ready).await
}

/// Waits until the page says it is ready as `name`; the milliseconds from navigation to its
/// first paint of data.
async fn wait_ready(browser: &Browser, name: &str) -> anyhow::Result<u64> {
    browser
        .wait_for_or_screenshot(
            &format!("portal-{name}-failed"),
            &format!(
                "return document.body.dataset.ready === '{name}' && document.body.dataset.readyAt;"
            ),
            WAIT,
        )
        .await
        .map(|at| at.as_str().and_then(|s| s.parse().ok()).unwrap_or(0))
}

const WAIT: Duration = Duration::from_secs(20);

/// The national ids the page lists, in order.
async fn listed(browser: &Browser) -> anyhow::Result<Vec<String>> {
    let value = browser
        .client
        .execute(
            "return [...document.querySelectorAll('[data-national-id]')].map(e => e.dataset.nationalId);",
            vec![],
        )
        .await?;
    Ok(serde_json::from_value(value)?)
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]["persons"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["node"]["nationalId"].as_str().map(str::to_owned))
        .collect()
}

/// Scrolls the element `css` finds to the top of the window, for a screenshot of it.
async fn scroll_to(browser: &Browser, css: &str) -> anyhow::Result<()> {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView({ block: 'center' });",
            vec![json!(css)],
        )
        .await?;
    Ok(())
}

async fn text(browser: &Browser, css: &str) -> anyhow::Result<String> {
    Ok(browser.client.find(Locator::Css(css)).await?.text().await?)
}

#[tokio::test]
async fn partners_and_the_person_use_their_portals_in_a_real_browser() -> anyhow::Result<()> {
    let Some(browser) = Browser::start().await? else {
        return Ok(());
    };
    let app = TestApp::new(Backend::Sqlite, 600).await?;
    let today = Today::now();
    // The company page opens on the current intake.
    let coming = today.intake_year();
    let applicants_query = std::str::from_utf8(
        FILES
            .iter()
            .find(|(p, _, _)| *p == "bedrift/applicants.graphql")
            .map(|f| f.2)
            .unwrap_or_default(),
    )?;
    // The company with most applicants in the intake it recruits for.
    let mut company = None;
    for org in app
        .population
        .organisations
        .iter()
        .filter(|o| o.kind == vigo_entities::enums::OrganisationKind::Company)
    {
        let token = app.token_for(Role::Company, Some(&org.org_no), None, None);
        let body = app
            .query(
                &token,
                applicants_query,
                json!({ "first": 20, "intakeYear": coming }),
            )
            .await?;
        let count = body["data"]["persons"]["totalCount"].as_i64().unwrap_or(0);
        if company.as_ref().is_none_or(|(_, _, best)| count > *best) {
            company = Some((org.org_no.clone(), token, count));
        }
    }
    let (company_org, company_token, applicants) = company.expect("a company");
    assert!(
        applicants > 0,
        "the seed gives some company applicants for {coming}"
    );
    // Served as the demo serves it: the sign-in page offers tokens to choose from.
    let school = app.token(Role::School, None);
    let demo = vec![
        DemoToken {
            role: Role::School,
            org: Some(org_of(&app, &school).await?),
            token: school.clone(),
        },
        DemoToken {
            role: Role::Caseworker,
            org: None,
            token: app.token(Role::Caseworker, None),
        },
    ];
    let address = serve(vigo_api::server::router(
        app.state.clone().with_demo_tokens(demo),
    ))
    .await?;
    let client = &browser.client;
    let mut timings = Vec::new();

    // Vigo Bedrift: exactly the applicants the API gives this token, page by page and by trade.
    timings.push((
        "bedrift",
        sign_in(&browser, &address, &company_token, "bedrift-applicants").await?,
    ));
    let direct = app
        .query(
            &company_token,
            applicants_query,
            json!({ "first": 20, "intakeYear": coming }),
        )
        .await?;
    let shown = listed(&browser).await?;
    browser.screenshot("portal-bedrift").await?;
    assert_eq!(shown, ids(&direct), "the page lists what the API returns");
    assert!(!shown.is_empty());
    assert_eq!(browser.violations().await?, Vec::<String>::new());
    let trade: String = serde_json::from_value(
        client
            .execute("const o = document.querySelectorAll('#filter-trade option'); return o.length > 1 ? o[1].value : '';", vec![])
            .await?,
    )?;
    assert!(
        !trade.is_empty(),
        "the company's approved trades are offered as filters"
    );
    client
        .execute(
            "const s = document.getElementById('filter-trade'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
            vec![json!(trade)],
        )
        .await?;
    browser
        .wait_for(&format!("return document.getElementById('filter-trade').value === '{trade}' && document.body.dataset.ready === 'bedrift-applicants';"), WAIT)
        .await?;
    let by_trade = app
        .query(
            &company_token,
            applicants_query,
            json!({ "first": 20, "intakeYear": coming, "trade": trade }),
        )
        .await?;
    browser
        .wait_for(
            &format!(
                "return document.querySelectorAll('[data-national-id]').length === {};",
                ids(&by_trade).len()
            ),
            WAIT,
        )
        .await?;
    assert_eq!(listed(&browser).await?, ids(&by_trade), "filtered by trade");
    click(&browser, "#tab-apprentices").await?;
    wait_ready(&browser, "bedrift-apprentices").await?;
    browser.screenshot("portal-bedrift-apprentices").await?;
    let student_id = shown[0].clone();

    // Min side: the pupil sees their data, and the company's read a moment ago in their log.
    let student = app.token(Role::Student, Some(&student_id));
    timings.push((
        "min-side",
        sign_in(&browser, &address, &student, "min-side").await?,
    ));
    let log = text(&browser, "#access-log").await?;
    assert!(
        log.contains(&company_org),
        "the company's read is in the access log: {log}"
    );
    assert!(
        log.contains("lærebedrift") && log.contains("lærlingformidling"),
        "{log}"
    );
    let identity = text(&browser, "#identity").await?;
    assert!(identity.contains(&student_id), "{identity}");
    let born = app
        .population
        .persons
        .iter()
        .find(|p| p.national_id == student_id)
        .map(|p| p.birth_date.format("%d.%m.%Y").to_string())
        .unwrap_or_default();
    assert!(
        identity.contains(&born),
        "the birth date, as Norwegians write it ({born}): {identity}"
    );
    browser.screenshot("portal-min-side").await?;
    scroll_to(&browser, "#access-log").await?;
    browser.screenshot("portal-min-side-access-log").await?;
    scroll_to(&browser, "#applications").await?;
    browser.screenshot("portal-min-side-applications").await?;
    assert_eq!(browser.violations().await?, Vec::<String>::new());
    // The art. 15 export, downloaded as a file.
    let downloads =
        std::env::temp_dir().join(format!("vigo-portal-downloads-{}", std::process::id()));
    std::fs::create_dir_all(&downloads)?;
    browser.allow_downloads(&downloads).await?;
    click(&browser, "#download").await?;
    let mut exported = None;
    for _ in 0..100 {
        if let Some(entry) = std::fs::read_dir(&downloads)?
            .flatten()
            .find(|e| e.path().extension().is_some_and(|x| x == "json"))
        {
            exported = Some(std::fs::read_to_string(entry.path())?);
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let exported: Value = serde_json::from_str(&exported.expect("the export was downloaded"))?;
    assert!(
        exported.to_string().contains(&student_id),
        "the export is the pupil's"
    );
    let _ = std::fs::remove_dir_all(&downloads);
    // In English, with dates in Norwegian style all the same.
    click(&browser, "#language").await?;
    browser
        .wait_for("return document.documentElement.lang === 'en' && document.getElementById('access-log-title').textContent === 'Who has seen my data';", WAIT)
        .await?;
    scroll_to(&browser, "#decisions").await?;
    browser.screenshot("portal-min-side-en").await?;
    click(&browser, "#language").await?;
    browser
        .wait_for("return document.documentElement.lang === 'nb';", WAIT)
        .await?;
    // A narrow screen: one column.
    client.set_window_size(390, 844).await?;
    browser.screenshot("portal-min-side-narrow").await?;
    client.set_window_size(1280, 900).await?;

    // An applicant answers an offer of the main round.
    let caseworker = app.token(Role::Caseworker, None);
    let year = today.school_year() + 1;
    for (mutation, variables) in [
        (
            "mutation($y: Int!) { computePoints(intakeYear: $y) { applications } }",
            json!({ "y": year }),
        ),
        (
            "mutation($y: Int!) { runIntake(intakeYear: $y, round: MAIN, seed: \"7\") { placed } }",
            json!({ "y": year }),
        ),
    ] {
        let body = app.query(&caseworker, mutation, variables).await?;
        assert!(body["errors"].is_null(), "{body}");
    }
    let offered = app
        .query(
            &caseworker,
            "query($y: Int!) { persons(first: 1, filter: { intakeYear: $y, offered: true }) { edges { node { nationalId applications { intakeYear wishes { offers { id answer } } } } } } }",
            json!({ "y": year }),
        )
        .await?;
    let applicant = offered["data"]["persons"]["edges"][0]["node"].clone();
    let applicant_id = applicant["nationalId"]
        .as_str()
        .expect("an applicant with an offer")
        .to_owned();
    sign_in(
        &browser,
        &address,
        &app.token(Role::Student, Some(&applicant_id)),
        "min-side",
    )
    .await?;
    scroll_to(&browser, "[data-answer]").await?;
    browser.screenshot("portal-min-side-offer").await?;
    click(&browser, "[data-answer='ACCEPTED']").await?;
    browser
        .wait_for("const m = document.getElementById('message'); return !m.hidden && m.classList.contains('ok');", WAIT)
        .await?;
    let answers = app
        .query(
            &caseworker,
            "query($n: String!) { person(nationalId: $n) { applications { wishes { offers { answer } } } } }",
            json!({ "n": applicant_id }),
        )
        .await?;
    assert!(
        answers.to_string().contains("\"ACCEPTED\""),
        "the answer is recorded: {answers}"
    );
    assert!(
        browser
            .client
            .find(Locator::Css("[data-answer]"))
            .await
            .is_err(),
        "an answered offer offers no buttons"
    );

    // Vigo OT: phone shown, e-mail and grades withheld in words; a status registered.
    let ot = app.token(Role::Ot, None);
    timings.push(("ot", sign_in(&browser, &address, &ot, "ot").await?));
    let shown: Vec<(String, String, String)> = serde_json::from_value(
        client
            .execute(
                "return [...document.querySelectorAll('article.person')].map(a => [a.querySelector('.phone').textContent, a.querySelector('.email').textContent, a.querySelector('.results').textContent]);",
                vec![],
            )
            .await?,
    )?;
    assert!(!shown.is_empty(), "OT's target group is listed");
    assert!(
        shown
            .iter()
            .any(|(phone, _, _)| phone.chars().filter(char::is_ascii_digit).count() >= 8),
        "phones shown: {shown:?}"
    );
    for (_, email, results) in &shown {
        assert!(
            email.contains("Skjermet") && !email.contains('@'),
            "e-mail withheld: {email}"
        );
        assert!(results.contains("Skjermet"), "grades withheld: {results}");
    }
    browser.screenshot("portal-ot").await?;
    assert_eq!(browser.violations().await?, Vec::<String>::new());
    let youth: String = serde_json::from_value(
        client
            .execute(
                "return document.querySelector('article.person').dataset.nationalId;",
                vec![],
            )
            .await?,
    )?;
    let field = client
        .find(Locator::Css(&format!("#status-{youth}")))
        .await?;
    field.send_keys("otuk").await?;
    click(
        &browser,
        &format!("article.person[data-national-id='{youth}'] .status-form button"),
    )
    .await?;
    browser
        .wait_for("const m = document.getElementById('message'); return !m.hidden && m.classList.contains('ok');", WAIT)
        .await?;
    let statuses = app
        .query(
            &caseworker,
            "query($n: String!) { person(nationalId: $n) { followUp { code } } }",
            json!({ "n": youth }),
        )
        .await?;
    assert!(statuses.to_string().contains("\"OTUK\""), "{statuses}");

    // A token of one role sees nothing of another role's page by editing the address.
    for other in ["min-side", "bedrift", "skole"] {
        client
            .goto(&format!("http://{address}/portal/{other}/"))
            .await?;
        browser
            .wait_for(
                "return document.getElementById('wrong-portal') !== null;",
                WAIT,
            )
            .await?;
        assert!(
            client
                .find(Locator::Css("[data-national-id], #identity"))
                .await
                .is_err(),
            "{other}"
        );
    }
    browser.screenshot("portal-wrong-portal").await?;

    // The school, signed in by choosing the demo's school token: its pupils as the API
    // gives them; a lost connection is told, with a retry.
    let school_org = org_of(&app, &school).await?;
    client.goto(&format!("http://{address}/portal/")).await?;
    browser
        .wait_for(
            "return document.querySelector('#demo-roles button') !== null;",
            WAIT,
        )
        .await?;
    let offered_roles: Vec<String> = serde_json::from_value(
        client
            .execute("return [...document.querySelectorAll('#demo-roles button')].map(b => b.dataset.role);", vec![])
            .await?,
    )?;
    assert_eq!(
        offered_roles,
        ["school"],
        "only roles with a portal are offered"
    );
    browser.screenshot("portal-sign-in").await?;
    click(&browser, "#demo-roles button[data-role='school']").await?;
    timings.push(("skole", wait_ready(&browser, "skole-pupils").await?));
    let pupils_query = std::str::from_utf8(
        FILES
            .iter()
            .find(|(p, _, _)| *p == "skole/pupils.graphql")
            .map(|f| f.2)
            .unwrap_or_default(),
    )?;
    let pupils = app
        .query(
            &school,
            pupils_query,
            json!({ "first": 25, "school": school_org }),
        )
        .await?;
    let listed_pupils: Vec<String> = serde_json::from_value(
        client
            .execute("return [...document.querySelectorAll('#list > .table > table > tbody > tr')].map(r => r.cells[1].textContent);", vec![])
            .await?,
    )?;
    assert_eq!(
        listed_pupils,
        ids(&pupils),
        "one row per pupil the API gives, in its order"
    );
    assert!(!listed_pupils.is_empty());
    browser.screenshot("portal-skole").await?;
    browser.offline(true).await?;
    click(&browser, "#tab-offered").await?;
    let message = browser
        .wait_for(
            "const m = document.getElementById('message'); return !m.hidden && m.textContent;",
            WAIT,
        )
        .await?;
    assert!(
        message
            .as_str()
            .unwrap_or("")
            .contains("Fikk ikke kontakt med Vigo"),
        "{message}"
    );
    browser.screenshot("portal-network-error").await?;
    browser.offline(false).await?;
    click(&browser, "#retry").await?;
    wait_ready(&browser, "skole-offered").await?;
    browser.screenshot("portal-skole-offered").await?;

    // An expired session says so, and leads back to sign in.
    let mut claims = vigo_api::auth::development_claims(
        Role::Student,
        Role::Student.default_purpose(),
        None,
        vigo_entities::ids::NationalId::parse(&student_id)
            .ok()
            .as_ref(),
        "test-expired".into(),
        Duration::from_secs(60),
    );
    claims.exp -= 3600;
    claims.iat = claims.iat.map(|t| t - 3600);
    client
        .execute(
            "sessionStorage.setItem('vigo-portal-token', arguments[0]);",
            vec![json!(app.sign(&claims))],
        )
        .await?;
    client
        .goto(&format!("http://{address}/portal/min-side/"))
        .await?;
    let expired = browser
        .wait_for(
            "const m = document.getElementById('message'); return !m.hidden && m.textContent;",
            WAIT,
        )
        .await?;
    assert!(
        expired
            .as_str()
            .unwrap_or("")
            .contains("Økten din er utløpt"),
        "{expired}"
    );
    assert!(
        client
            .find(Locator::Css("#message a[href='/portal/']"))
            .await
            .is_ok()
    );
    browser.screenshot("portal-expired").await?;

    // The token never shows in an address.
    assert!(
        !client.current_url().await?.as_str().contains("eyJ"),
        "no token in the URL"
    );
    for (portal, milliseconds) in &timings {
        eprintln!("first paint of {portal}: {milliseconds} ms after navigation");
    }
    Ok(())
}
