// The portals' sign-in: the token of the user's sign-in (ID-porten, Maskinporten), or on the
// demo one of its printed tokens; then on to the portal of the token's role. The token is
// kept in this tab's session storage only.
import { $, PORTALS, attempt, code, el, fill, query, setUpHeader, showError, storeToken, t, PortalError } from "/portal/portal.js";

let demoTokens = [];

async function enter(value) {
  storeToken(value);
  const answer = await attempt(() => query("caller"));
  if (!answer) return;
  const role = answer.data.caller.role;
  const portal = PORTALS[role];
  if (!portal) {
    showError(new PortalError(t("noPortal", code("Role", role)), { retry: false }));
    return;
  }
  location.assign(`/portal/${portal}/`);
}

function drawDemo() {
  if (!demoTokens.length) return;
  fill(
    $("demo-roles"),
    demoTokens.map((demo) =>
      el(
        "li",
        {},
        el(
          "button",
          { type: "button", "data-role": demo.role, onclick: () => enter(demo.token) },
          code("Role", demo.role.toUpperCase()),
        ),
        demo.org ? el("span", { class: "hint" }, ` ${t("organisation")} ${demo.org}`) : null,
      ),
    ),
  );
  $("demo").hidden = false;
}

async function loadDemo() {
  try {
    const response = await fetch("/portal/demo-tokens", { cache: "no-store" });
    if (response.ok) demoTokens = await response.json();
  } catch {
    demoTokens = [];
  }
  drawDemo();
}

setUpHeader(drawDemo);
$("sign-in-form").addEventListener("submit", (event) => {
  event.preventDefault();
  enter($("token").value);
});
loadDemo();
document.body.dataset.ready = "sign-in";
