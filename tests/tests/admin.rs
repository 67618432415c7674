//! The privacy officer's console at `/admin`: served from the binary under a strict
//! Content-Security-Policy, and used end to end in a real browser as an officer would: sign
//! in with a token, read the matrix, have a cell explained, draft a change and see its
//! simulation, apply it, compare versions and roll back, filter the audit trail, and read the
//! chart of refusals; at 1280 px and on a narrow screen, without a policy violation.

use std::time::Duration;

use axum::http::StatusCode;
use fantoccini::Locator;
use serde_json::json;
use vigo_policy::Role;
use vigo_tests::browser::{Browser, serve};
use vigo_tests::{Backend, TestApp};

#[tokio::test]
async fn the_console_is_served_from_the_binary_under_a_strict_policy() -> anyhow::Result<()> {
    let app = TestApp::new(Backend::Sqlite, 10).await?;
    let (status, headers, page) = app.get_text("/admin").await?;
    assert_eq!(status, StatusCode::OK);
    let policy = headers["content-security-policy"].to_str()?.to_owned();
    for directive in [
        "default-src 'none'",
        "script-src 'self';",
        "style-src 'self';",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(policy.contains(directive), "{directive} in {policy}");
    }
    assert!(!policy.contains("unsafe"), "{policy}");
    assert!(
        !page.contains("<script>") && !page.contains("<style"),
        "no inline code"
    );
    assert!(
        !page.contains("http://") && !page.contains("https://"),
        "nothing from elsewhere"
    );
    for file in ["admin.js", "admin.css"] {
        let (status, headers, body) = app.get_text(&format!("/admin/{file}")).await?;
        assert_eq!(status, StatusCode::OK, "{file}");
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(body.len() > 1000, "{file}");
    }
    // Only the demo offers a token; a server has none to give.
    let (status, _, _) = app.get_text("/admin/demo-token").await?;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, _) = app.get_text("/admin/../Cargo.toml").await?;
    assert_ne!(status, StatusCode::OK);
    Ok(())
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

#[tokio::test]
async fn an_officer_reviews_changes_and_rolls_back_the_policy_in_a_real_browser()
-> anyhow::Result<()> {
    let Some(browser) = Browser::start().await? else {
        return Ok(());
    };
    let app = TestApp::new(Backend::Sqlite, 200).await?;
    // Refusals for the chart: a school asks for statistics.
    let school = app.token(Role::School, None);
    app.query(&school, "{ statisticsCatalogue { name } }", json!({}))
        .await?;
    let officer = app.token(Role::PrivacyOfficer, None);
    let address = serve(app.router.clone()).await?;
    let client = &browser.client;
    let wait = Duration::from_secs(20);
    client.goto(&format!("http://{address}/admin")).await?;
    browser
        .wait_for("return document.getElementById('token') !== null;", wait)
        .await?;
    // A token of another role is refused in words.
    client
        .find(Locator::Id("token"))
        .await?
        .send_keys(&app.token(Role::Caseworker, None))
        .await?;
    click(&browser, "#sign-in-form button[type=submit]").await?;
    let refused = browser
        .wait_for(
            "const m = document.getElementById('message'); return !m.hidden && m.textContent;",
            wait,
        )
        .await?;
    assert!(
        refused
            .as_str()
            .unwrap_or("")
            .contains("for privacy officers"),
        "{refused}"
    );
    client.find(Locator::Id("token")).await?.clear().await?;
    client
        .find(Locator::Id("token"))
        .await?
        .send_keys(&officer)
        .await?;
    click(&browser, "#sign-in-form button[type=submit]").await?;
    browser
        .wait_for_or_screenshot(
            "admin-sign-in-failed",
            "return document.querySelectorAll('#matrix-table tbody tr').length >= 15;",
            wait,
        )
        .await?;
    browser.screenshot("admin-matrix").await?;

    // OT's contact cell: partly allowed; the explanation names the deny on e-mail.
    let cell = "#matrix-table button[aria-label^='ot for follow_up: contact']";
    let label = client
        .find(Locator::Css(cell))
        .await?
        .attr("class")
        .await?
        .unwrap_or_default();
    assert_eq!(label, "some", "OT reads part of contact data");
    // By keyboard: focus the cell and press Enter.
    client
        .find(Locator::Css(cell))
        .await?
        .send_keys("\u{E007}")
        .await?;
    let explained = browser
        .wait_for_or_screenshot(
            "admin-explain-failed",
            "const p = document.getElementById('explanation'); return !p.hidden && p.textContent.includes('Contact.email') && p.textContent;",
            wait,
        )
        .await?;
    let explained = explained.as_str().unwrap_or_default();
    assert!(
        explained.contains("p, ot, follow_up, field:Contact.email, read, deny"),
        "{explained}"
    );
    browser.screenshot("admin-explanation").await?;

    // Draft: allow the whole category; the simulation shows OT gaining e-mail.
    click(&browser, "#explanation .actions button").await?;
    let simulated = browser
        .wait_for_or_screenshot(
            "admin-simulate-failed",
            "const p = document.getElementById('simulation'); return !p.hidden && p.textContent.includes('Fields gained') && p.textContent;",
            wait,
        )
        .await?;
    assert!(
        simulated
            .as_str()
            .unwrap_or_default()
            .contains("Contact.email"),
        "{simulated}"
    );
    // With a sample person of OT's target group: the record as OT would see it, both ways.
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
    client
        .find(Locator::Id("sim-person"))
        .await?
        .send_keys(&sample)
        .await?;
    click(&browser, "#simulate").await?;
    let records = browser
        .wait_for_or_screenshot(
            "admin-records-failed",
            "const r = document.querySelectorAll('#simulation .records pre'); return r.length === 2 && [...r].map(p => p.textContent);",
            wait,
        )
        .await?;
    let now = records[0].as_str().unwrap_or_default();
    let then = records[1].as_str().unwrap_or_default();
    assert!(now.contains(&sample) && !now.contains("\"email\""), "{now}");
    assert!(then.contains("\"email\""), "{then}");
    client
        .execute(
            "document.querySelector('#simulation .records').scrollIntoView(); return true;",
            vec![],
        )
        .await?;
    browser.screenshot("admin-simulation").await?;
    // Applying without a reason is refused; with one, a new version is in force.
    click(&browser, "#apply").await?;
    browser
        .wait_for(
            "return document.getElementById('message').textContent.includes('Say why');",
            wait,
        )
        .await?;
    client
        .find(Locator::Id("summary"))
        .await?
        .send_keys("OT may e-mail its target group")
        .await?;
    click(&browser, "#apply").await?;
    browser
        .wait_for_or_screenshot(
            "admin-apply-failed",
            "return document.getElementById('message').textContent.includes('is in force');",
            wait,
        )
        .await?;
    let body = app
        .query(&officer, "{ policy { version rules } }", json!({}))
        .await?;
    let version = body["data"]["policy"]["version"].as_i64().unwrap_or(0);
    let rules = body["data"]["policy"]["rules"].to_string();
    assert!(
        !rules.contains("field:Contact.email, read, deny"),
        "{rules}"
    );

    // History: compare the two newest versions, then roll back to the first.
    click(&browser, "#tab-history").await?;
    browser
        .wait_for(
            "return document.querySelectorAll('#versions tbody tr').length >= 2;",
            wait,
        )
        .await?;
    click(&browser, "#compare").await?;
    let diff = browser
        .wait_for_or_screenshot(
            "admin-diff-failed",
            "const p = document.getElementById('diff'); return !p.hidden && p.textContent;",
            wait,
        )
        .await?;
    assert!(
        diff.as_str()
            .unwrap_or_default()
            .contains("gains Contact.email"),
        "{diff}"
    );
    browser.screenshot("admin-history").await?;
    click(&browser, "#versions tbody tr:last-child button").await?;
    browser
        .wait_for_or_screenshot(
            "admin-rollback-failed",
            "return document.getElementById('message').textContent.includes('equal to version');",
            wait,
        )
        .await?;
    let body = app
        .query(&officer, "{ policy { version rules } }", json!({}))
        .await?;
    assert!(body["data"]["policy"]["version"].as_i64() > Some(version));
    assert!(
        body["data"]["policy"]["rules"]
            .to_string()
            .contains("field:Contact.email, read, deny"),
        "the rollback restores the deny"
    );

    // The audit trail shows the officer's own changes; the chart plots the school's refusal.
    click(&browser, "#tab-audit").await?;
    browser
        .wait_for(
            "return document.querySelectorAll('#events tbody tr').length >= 2 && document.getElementById('events').textContent.includes('replacePolicy');",
            wait,
        )
        .await?;
    click(&browser, "#tab-denials").await?;
    let bars = browser
        .wait_for_or_screenshot(
            "admin-denials-failed",
            "const r = document.querySelectorAll('#chart rect[data-role=\"school\"]'); return r.length > 0 && r.length;",
            wait,
        )
        .await?;
    assert!(bars.as_i64() >= Some(1));
    browser.screenshot("admin-denials").await?;

    // A narrow screen: nothing spills sideways but the scrolling tables.
    client.set_window_size(390, 844).await?;
    click(&browser, "#tab-matrix").await?;
    browser
        .wait_for(
            "return document.querySelectorAll('#matrix-table tbody tr').length >= 15;",
            wait,
        )
        .await?;
    let overflow = client
        .execute(
            "return document.documentElement.scrollWidth - window.innerWidth;",
            vec![],
        )
        .await?;
    assert!(
        overflow.as_i64() <= Some(1),
        "the page scrolls sideways: {overflow}"
    );
    browser.screenshot("admin-narrow").await?;
    assert_eq!(browser.violations().await?, Vec::<String>::new());
    // The token stays in the tab's session, never in persistent storage.
    let stored = client
        .execute(
            "return JSON.stringify(Object.assign({}, localStorage));",
            vec![],
        )
        .await?;
    assert!(!stored.as_str().unwrap_or_default().contains(&officer));
    Ok(())
}
