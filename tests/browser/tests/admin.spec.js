// The admin pages as an administrator meets them: axe-core finds no serious or critical
// violation on any of them at desktop and phone width, nothing scrolls sideways on a phone,
// none weighs more than 150 KB, and screenshots of each land in the screenshot folder. Other
// roles are refused. Then, with the keyboard alone, an admin creates a calendar and an SLA
// policy that counts in it.
const { test, expect } = require("@playwright/test");
const { signIn, capture, pageWeight } = require("./helpers");

const MAX_BYTES = 150 * 1024;
const ADMIN = ["admin@demo.example", "demo-admin-pass"];

async function signInAdmin(page) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(ADMIN[0]);
  await page.getByLabel("Password").fill(ADMIN[1]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

async function visit(page, path, name) {
  const response = await page.goto(path);
  expect(response.status(), path).toBe(200);
  expect(response.headers()["content-security-policy"]).toContain("script-src 'self'");
  await capture(page, name);
  expect(await pageWeight(page), `${name} weighs more than 150 KB`).toBeLessThanOrEqual(MAX_BYTES);
}

/** Presses Tab until the focused element is `target`, as a keyboard user would. */
async function tabTo(page, target, most = 200) {
  for (let i = 0; i < most; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press("Tab");
  }
  throw new Error("never reached by Tab");
}

test("other roles are kept out of the admin pages", async ({ page }) => {
  for (const who of ["manager", "agent", "requester"]) {
    await signIn(page, who);
    for (const path of ["/admin", "/admin/calendars", "/admin/rules/new"]) {
      expect((await page.goto(path)).status(), `${who} ${path}`).toBe(403);
    }
    await page.goto("/");
    await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" })).toHaveCount(0);
    await page.context().clearCookies();
  }
});

test("every admin page, accessible at desktop and phone width", async ({ page }) => {
  await signInAdmin(page);
  await page.goto("/console");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(page).toHaveURL(/\/admin$/);
  await visit(page, "/admin", "admin-index");
  await visit(page, "/admin/calendars", "admin-calendars");
  await visit(page, "/admin/calendars/new", "admin-calendar-new");
  await visit(page, "/admin/policies", "admin-policies");
  await visit(page, "/admin/policies/new", "admin-policy-new");
  await visit(page, "/admin/rules", "admin-rules");
  await visit(page, "/admin/rules/new", "admin-rule-new");
  await visit(page, "/admin/assignment", "admin-assignment");
  await visit(page, "/admin/mailboxes", "admin-mailboxes");
  // The demo's held mail: ingested by the job worker soon after start-up.
  await expect(async () => {
    await page.goto("/admin/quarantine");
    await expect(page.getByRole("table")).toContainText("Automatic mail");
  }).toPass({ timeout: 15000 });
  await visit(page, "/admin/quarantine", "admin-quarantine");
  await page.getByRole("link", { name: /Automatic reply: Printer/ }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Held message");
  await capture(page, "admin-quarantined");

  // A form sent back with problems is just as usable.
  await page.goto("/admin/rules/new");
  await page.getByLabel("Name").fill("Broken rule");
  await page.getByRole("button", { name: "Add a condition" }).click();
  await expect(page.getByRole("group", { name: "Condition 2" })).toBeVisible();
  await page.getByRole("button", { name: "Save rule", exact: true }).last().click();
  await expect(page.getByRole("alert")).toContainText("Nothing was saved");
  await capture(page, "admin-rule-problems");
  await page.goto("/admin/calendars/new");
  await page.getByLabel("Name").fill("Bad hours");
  await page.getByLabel("Monday").fill("9 to 5");
  await page.getByRole("button", { name: "Save calendar" }).click();
  await expect(page.locator("#mon-error")).toContainText("is not a shift");
  await expect(page.getByLabel("Monday")).toHaveAttribute("aria-invalid", "true");
  await capture(page, "admin-calendar-problems");
});

test("create a calendar and a policy that uses it with the keyboard alone", async ({ page }) => {
  await signInAdmin(page);
  const stamp = Date.now();
  const calendar = `Night shift ${stamp}`;
  const policy = `Night P1 ${stamp}`;

  await page.goto("/admin/calendars");
  await tabTo(page, page.getByRole("link", { name: "New calendar" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/calendars\/new$/);
  await tabTo(page, page.getByLabel("Name"));
  await page.keyboard.type(calendar);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Time zone")).toBeFocused();
  await page.keyboard.type("Europe/Berlin");
  await expect(page.getByLabel("Time zone")).toHaveValue("Europe/Berlin");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Monday")).toBeFocused();
  // Weeknights past midnight.
  for (let day = 0; day < 5; day++) {
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("22:00-06:00");
    await page.keyboard.press("Tab");
  }
  await tabTo(page, page.getByLabel("Every year, one a line (MM-DD)"));
  await page.keyboard.type("12-25");
  await tabTo(page, page.getByRole("button", { name: "Save calendar" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/calendars$/);
  const row = page.getByRole("row", { name: new RegExp(calendar) });
  await expect(row).toContainText("Europe/Berlin");
  await expect(row).toContainText("Mon 22:00-06:00");

  await tabTo(page, page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "SLA policies" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/policies$/);
  await tabTo(page, page.getByRole("link", { name: "New policy" }));
  await page.keyboard.press("Enter");
  await tabTo(page, page.getByLabel("Name"));
  await page.keyboard.type(policy);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Calendar the targets count in")).toBeFocused();
  await page.keyboard.type(calendar);
  await expect(page.getByLabel("Calendar the targets count in")).toHaveValue(calendar);
  await page.keyboard.press("Tab");
  await expect(page.getByRole("checkbox", { name: "P1" })).toBeFocused();
  await page.keyboard.press("Space");
  await tabTo(page, page.getByLabel("First response", { exact: true }));
  await page.keyboard.type("30");
  await page.keyboard.press("Tab");
  await page.keyboard.type("business minutes");
  await tabTo(page, page.getByLabel("Resolution", { exact: true }));
  await page.keyboard.type("8");
  await tabTo(page, page.getByRole("checkbox", { name: "The desk's managers" }));
  await page.keyboard.press("Space");
  await tabTo(page, page.getByRole("button", { name: "Save policy" }));
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/admin\/policies$/);
  const line = page.getByRole("row", { name: new RegExp(policy) });
  await expect(line).toContainText("first response 30 min");
  await expect(line).toContainText("resolution 8 h");
  await expect(line).toContainText(calendar);
  await expect(line).toContainText("P1");
});
