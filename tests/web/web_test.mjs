// The browser part of tests/web/web_e2e_test.sh (which starts the server and sets the
// WEB_* variables): Debian's Chromium, headless, through playwright-core, against the web
// app served by `hippocrate serve`.
//
// Scenario: the page loads in French; a wrong password shows its French words; the right
// password leads to the second-factor step, where a wrong code shows its words and a TOTP
// code from oathtool signs in; the home page shows the name (and again after a reload);
// signing out returns to the sign-in page and the server no longer knows the session; a
// code used before is refused; the switch to English changes the texts and is remembered;
// a keyboard-only sign-in (Tab, typing, Enter) with a recovery code works; an unknown path
// shows the not-found page; a first visit's language follows the browser's.
// axe-core finds no violation on each page; any console error, uncaught exception, failed
// request or CSP violation fails the test (the 401 answers of POST /api/v1/sessions that
// the scenario asks for — wrong password, "second factor required", wrong or reused code — are the
// only console messages allowed: Chromium logs every 4xx answer as one). Screenshots at
// 1280 and 360 px of each page go to WEB_SCREENSHOTS.
//
// Exit 0: every check passed; 1: one failed.
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import https from "node:https";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const requireWeb = createRequire(path.join(repo, "web/package.json"));
const { chromium } = requireWeb("playwright-core");
const axeSource = readFileSync(requireWeb.resolve("axe-core/axe.min.js"), "utf8");

const env = (name) => {
  const v = process.env[name];
  if (v === undefined || v === "") throw new Error(`${name} is not set (run tests/web/web_e2e_test.sh)`);
  return v;
};
const url = env("WEB_URL");
const ca = readFileSync(env("WEB_CA"));
const email = env("WEB_EMAIL");
const password = env("WEB_PASSWORD");
const displayName = env("WEB_NAME");
const totpSecret = env("WEB_TOTP_SECRET");
const enrolStep = Number(env("WEB_ENROL_STEP"));
const recoveryCode = env("WEB_RECOVERY_CODE");
const shots = env("WEB_SCREENSHOTS");
mkdirSync(shots, { recursive: true });
for (const old of readdirSync(shots)) if (old.endsWith(".png")) rmSync(path.join(shots, old));

let passed = 0;
let failed = 0;
function check(what, ok, detail = "") {
  if (ok) {
    passed++;
    console.log(`ok - ${what}`);
  } else {
    failed++;
    console.log(`FAIL - ${what}${detail ? `\n    ${detail}` : ""}`);
  }
  return ok;
}

// GET PATH with Node's own TLS, trusting the server's certificate file; optional cookie.
function get(pathname, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = https.get(`${url}${pathname}`, { ca, headers, timeout: 10000 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", reject);
  });
}

// A TOTP code the server has not seen: the enrolment used step `enrolStep`, and the server
// accepts one step ahead, so the code of the step after it works at once.
function totpCode() {
  const now = Math.floor(Date.now() / 1000);
  const at = Math.max(now, (enrolStep + 1) * 30 + 1);
  return execFileSync("oathtool", ["--totp", "--base32", `--now=@${at}`, totpSecret], {
    encoding: "utf8",
  }).trim();
}

// --- The server serves the app (src/server/web_app.h), with its strict CSP. ---
const root = await get("/");
check("GET / answers 200 with HTML", root.status === 200 && /text\/html/.test(root.headers["content-type"] ?? ""),
  `status ${root.status}, content-type ${root.headers["content-type"]}`);
const csp = String(root.headers["content-security-policy"] ?? "");
for (const directive of [
  "script-src 'self'",
  "style-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
]) {
  check(`the app's CSP has ${directive}`, csp.includes(directive), `CSP: ${csp}`);
}
check("the app's CSP allows no inline script or style", !csp.includes("unsafe-inline"), `CSP: ${csp}`);

// --- The browser ---
const browser = await chromium.launch({
  executablePath: env("WEB_CHROMIUM"),
  headless: true,
  args: [`--ignore-certificate-errors-spki-list=${env("WEB_SPKI")}`],
});
const problems = [];
const context = await browser.newContext({ locale: "fr-FR", viewport: { width: 1280, height: 900 } });
await context.exposeBinding("__hippocrateCspViolation", (_source, v) => {
  problems.push(`CSP violation: ${v}`);
});
await context.addInitScript(() => {
  document.addEventListener("securitypolicyviolation", (e) => {
    // eslint-disable-next-line no-undef
    window.__hippocrateCspViolation(`${e.violatedDirective} blocked ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`);
  });
});
const page = await context.newPage();
const sessionsUrl = `${url}/api/v1/sessions`;
page.on("console", (m) => {
  if (m.type() !== "error") return;
  const where = m.location().url;
  if (where === sessionsUrl && /status of 401/.test(m.text())) return; // asked for, see above
  problems.push(`console error: ${m.text()} (${where})`);
});
page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
page.on("response", (r) => {
  const u = r.url();
  if (r.status() >= 400 && !(u === sessionsUrl && r.status() === 401)) {
    problems.push(`answer ${r.status()} to ${r.request().method()} ${u}`);
  }
});

const assets = [];
page.on("response", (r) => {
  if (new URL(r.url()).pathname.startsWith("/assets/")) assets.push(r);
});

let seen = 0;
function noProblems(where) {
  const now = problems.slice(seen);
  seen = problems.length;
  check(`no console error, CSP violation or failed request: ${where}`, now.length === 0, now.join("\n    "));
}

const axeRules = { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"] } };
// axe-core from web/node_modules, evaluated through the DevTools protocol (not a <script>
// of the page, which the CSP rightly refuses).
async function axeCheck(where) {
  const hasAxe = await page.evaluate(() => typeof window.axe === "object");
  if (!hasAxe) await page.evaluate(axeSource);
  const result = await page.evaluate((rules) => window.axe.run(document, rules), axeRules);
  const v = result.violations.map(
    (x) => `${x.id} (${x.impact}): ${x.help} — ${x.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  check(`axe-core: no violation on ${where} (${result.passes.length} rules passed)`, v.length === 0, v.join("\n    "));
}

async function screenshots(name) {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: width === 360 ? 740 : 900 });
    await page.screenshot({ path: path.join(shots, `${name}-${width}.png`), fullPage: true });
    if (width === 360) {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      check(`${name}: nothing wider than 360 px`, !overflow);
    }
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

const h1 = () => page.locator("h1").innerText();
// Waits (at most 3 s) until fn() in the page is true; false if it never is.
const becomes = (fn, arg) =>
  page.waitForFunction(fn, arg, { timeout: 3000 }).then(
    () => true,
    () => false,
  );
const focusIs = (id) => becomes((want) => document.activeElement?.id === want, id);
const atPath = (p) => becomes((want) => window.location.pathname === want, p);
const waitH1 = (text) => page.locator("h1", { hasText: text }).waitFor({ timeout: 10000 });
const alertText = async () => {
  await page.locator('[role="alert"]').waitFor({ timeout: 10000 });
  return page.locator('[role="alert"]').innerText();
};

// Small targets: every button, link and input at least 44 px high (44×44 for buttons).
async function targetsLargeEnough(where) {
  const small = await page.evaluate(() =>
    [...document.querySelectorAll("button, a, input")]
      .filter((el) => el.getClientRects().length > 0 && !el.classList.contains("skip-link"))
      .map((el) => ({ el, r: el.getBoundingClientRect() }))
      .filter(({ r }) => r.height < 44 || r.width < 44)
      .map(({ el, r }) => `${el.tagName.toLowerCase()}#${el.id} "${el.textContent}" ${r.width}x${r.height}`),
  );
  check(`targets of at least 44 × 44 px on ${where}`, small.length === 0, small.join("; "));
}

async function run() {
  // 1. The page loads in French, at /sign-in.
  await page.goto(`${url}/`);
  await waitH1("Se connecter");
  check("the app opens on /sign-in", await atPath("/sign-in"), page.url());
  check("the page is in French (lang=fr)", (await page.getAttribute("html", "lang")) === "fr");
  check("the title is French", await becomes(() => document.title === "Se connecter — Hippocrate"), await page.title());
  noProblems("sign-in page");
  // The build's files as the browser got them: hashed names, cached for good, compressed.
  const script = assets.find((r) => /^\/assets\/index-[A-Za-z0-9_-]{8}\.js$/.test(new URL(r.url()).pathname));
  const sheet = assets.find((r) => /^\/assets\/style-[A-Za-z0-9_-]{8}\.css$/.test(new URL(r.url()).pathname));
  check("the page loaded one hashed script and one hashed style sheet", script !== undefined && sheet !== undefined,
    assets.map((r) => r.url()).join(", "));
  for (const r of [script, sheet].filter(Boolean)) {
    const h = await r.allHeaders();
    check(`${new URL(r.url()).pathname} came brotli-compressed and immutable`,
      h["content-encoding"] === "br" && /immutable/.test(h["cache-control"] ?? ""),
      `content-encoding ${h["content-encoding"]}, cache-control ${h["cache-control"]}`);
  }
  await axeCheck("the sign-in page (French)");
  await targetsLargeEnough("the sign-in page");
  await screenshots("sign-in-fr");

  // 2. A wrong password: its French words.
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill("Not the right password at all");
  await page.getByRole("button", { name: "Se connecter" }).click();
  const wrong = await alertText();
  check("a wrong password says so in French", wrong.startsWith("L’adresse e-mail ou le mot de passe est incorrect"), wrong);
  noProblems("wrong password");
  await axeCheck("the sign-in page with an error");
  await screenshots("sign-in-error-fr");

  // 3. The right password → the second factor; a wrong code; then the TOTP code.
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await waitH1("Code de vérification");
  check("the right password asks for the code", true);
  check("the code field has the focus", await focusIs("code"));
  noProblems("second-factor step");
  await axeCheck("the second-factor step");
  await screenshots("second-factor-fr");
  const good = totpCode();
  const bad = good === "123456" ? "654321" : "123456";
  await page.getByLabel("Code à 6 chiffres").fill(bad);
  await page.getByRole("button", { name: "Valider" }).click();
  const badWords = await alertText();
  check("a wrong code says so in French", badWords.startsWith("Ce code n’est pas valable"), badWords);
  await page.getByLabel("Code à 6 chiffres").fill(good);
  await page.getByRole("button", { name: "Valider" }).click();
  await waitH1(`Bonjour, ${displayName}`);
  check("the TOTP code signs in: the home page greets the user", true);
  check("the home page is at /", await atPath("/"), page.url());
  check("the home page shows the name", (await page.getByTestId("account-name").innerText()) === displayName);
  check("the home page shows the e-mail", (await page.getByTestId("account").innerText()).includes(email));
  noProblems("signed in");
  await axeCheck("the home page");
  await targetsLargeEnough("the home page");
  await screenshots("home-fr");

  // The session is the server's cookie: a reload is still signed in.
  await page.reload();
  await waitH1(`Bonjour, ${displayName}`);
  check("after a reload, still signed in (GET /api/v1/me with the cookie)", true);
  const cookie = (await context.cookies()).find((c) => c.name === "__Host-hippocrate_session");
  check("the session cookie is __Host-, Secure, HttpOnly, SameSite=Strict",
    cookie !== undefined && cookie.secure && cookie.httpOnly && cookie.sameSite === "Strict" && cookie.path === "/",
    JSON.stringify(cookie && { ...cookie, value: "…" }));
  noProblems("reload");

  // 4. Sign out → the sign-in page; the server no longer knows the session.
  await page.getByRole("button", { name: "Se déconnecter" }).click();
  await waitH1("Se connecter");
  check("sign-out returns to /sign-in", await atPath("/sign-in"), page.url());
  check("the sign-in page says the user is signed out", (await page.locator('[role="status"]').innerText()) === "Vous êtes déconnecté.");
  if (cookie) {
    const after = await get("/api/v1/me", { Cookie: `${cookie.name}=${cookie.value}` });
    check("the signed-out session's cookie is refused by the server (401)", after.status === 401, `status ${after.status}`);
  }
  noProblems("signed out");

  // A code already used is refused (the server remembers the last step), in French; "start
  // again" goes back to the first step.
  await page.getByLabel("Adresse e-mail").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await waitH1("Code de vérification");
  await page.getByLabel("Code à 6 chiffres").fill(good);
  await page.getByRole("button", { name: "Valider" }).click();
  const replayed = await alertText();
  check("a code used before is refused, in French", replayed.startsWith("Ce code n’est pas valable"), replayed);
  await page.getByRole("button", { name: "Recommencer avec une autre adresse" }).click();
  await waitH1("Se connecter");
  check("“start again” returns to the e-mail and password", (await page.getByLabel("Mot de passe").inputValue()) === "");
  noProblems("reused code");

  // 5. English: the texts change, and the choice is remembered.
  await page.getByRole("button", { name: "Read this site in English" }).click();
  await waitH1("Sign in");
  check("English: the heading changes", (await h1()) === "Sign in");
  check("English: lang=en", await becomes(() => document.documentElement.lang === "en"));
  check("English: the button says Sign in", (await page.getByRole("button", { name: "Sign in" }).count()) === 1);
  check("English: the title changes", await becomes(() => document.title === "Sign in — Hippocrate"), await page.title());
  await page.reload();
  await waitH1("Sign in");
  check("the language is remembered after a reload", await becomes(() => document.documentElement.lang === "en"));
  noProblems("English");
  await axeCheck("the sign-in page (English)");
  await screenshots("sign-in-en");

  // 6. Keyboard only: Tab, typing, Enter — with a recovery code this time.
  await page.reload();
  await waitH1("Sign in");
  const focused = () => page.evaluate(() => document.activeElement?.id || document.activeElement?.tagName);
  check("the page's heading has the focus at start", await becomes(() => document.activeElement?.tagName === "H1"), await focused());
  await page.keyboard.press("Tab");
  check("Tab: the e-mail field", await focusIs("email"), await focused());
  await page.keyboard.type(email);
  await page.keyboard.press("Tab");
  check("Tab: the password field", await focusIs("password"), await focused());
  await page.keyboard.type(password);
  await page.keyboard.press("Enter");
  await waitH1("Verification code");
  check("Enter: the second-factor step, its field focused", await focusIs("code"), await focused());
  await page.keyboard.press("Tab"); // the Continue button
  await page.keyboard.press("Tab"); // "Use a recovery code"
  const label = await page.evaluate(() => document.activeElement?.textContent);
  check("Tab, Tab: the recovery-code switch", label === "Use a recovery code", String(label));
  await page.keyboard.press("Enter");
  await page.getByLabel("Recovery code").waitFor();
  check("Enter: the recovery-code field, focused", await focusIs("code"), await focused());
  await page.keyboard.type(recoveryCode);
  await page.keyboard.press("Enter");
  await waitH1(`Hello, ${displayName}`);
  check("keyboard-only sign-in with a recovery code reaches the home page", true);
  noProblems("keyboard sign-in");
  await axeCheck("the home page (English)");
  await screenshots("home-en");
  await page.keyboard.press("Tab");
  const signOutFocused = await page.evaluate(() => document.activeElement?.textContent);
  check("Tab: the sign-out button", signOutFocused === "Sign out", String(signOutFocused));
  await page.keyboard.press("Enter");
  await waitH1("Sign in");
  check("Enter: signed out", await atPath("/sign-in"), page.url());
  noProblems("keyboard sign-out");

  // 7. An unknown path: the not-found page (the server answers SPA routes with the app).
  const missing = await page.goto(`${url}/no/such/page`);
  check("an unknown path is answered with the app (200)", missing?.status() === 200, `status ${missing?.status()}`);
  await waitH1("Page not found");
  noProblems("not-found page");
  await axeCheck("the not-found page");
  await targetsLargeEnough("the not-found page");
  await screenshots("not-found-en");
  await page.getByRole("button", { name: "Lire ce site en français" }).click();
  await waitH1("Page introuvable");
  await screenshots("not-found-fr");
  await page.getByRole("link", { name: "Revenir à l’accueil" }).click();
  await waitH1("Se connecter");
  check("the not-found page's link leads home (signed out: sign-in)", await atPath("/sign-in"), page.url());
  noProblems("back home");

  // 8. The first visit's language comes from the browser's (Accept-Language): English for
  // an English browser, French for one whose languages the app does not have.
  for (const [locale, heading] of [["en-GB", "Sign in"], ["de-DE", "Se connecter"]]) {
    const other = await browser.newContext({ locale });
    const p = await other.newPage();
    const errors = [];
    p.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    p.on("pageerror", (e) => errors.push(e.message));
    await p.goto(`${url}/sign-in`);
    await p.locator("h1", { hasText: heading }).waitFor({ timeout: 10000 });
    check(`a ${locale} browser first sees "${heading}"`, (await p.locator("h1").innerText()) === heading);
    check(`no console error in the ${locale} browser`, errors.length === 0, errors.join("; "));
    await other.close();
  }
}

const started = Date.now();
try {
  await run();
} catch (e) {
  check("the scenario ran to its end", false, String(e?.stack ?? e));
  await page.screenshot({ path: path.join(shots, "failure.png"), fullPage: true }).catch(() => {});
} finally {
  await browser.close();
}
if (problems.length > seen) check("no problem after the last step", false, problems.slice(seen).join("\n    "));
console.log(`web_test: browser part took ${((Date.now() - started) / 1000).toFixed(1)} s; screenshots in ${shots}`);
console.log(`web_test: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
