// Every page, as each role meets it: axe-core finds no serious or critical violation at
// desktop and phone width, nothing scrolls sideways on a phone, no page weighs more than
// 150 KB, and screenshots of each land in the screenshot folder. A requester is kept out of
// the console.
const { test, expect } = require("@playwright/test");
const { signIn, capture, pageWeight } = require("./helpers");

const MAX_BYTES = 150 * 1024;

async function visit(page, path, name) {
  const response = await page.goto(path);
  expect(response.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  await capture(page, name);
  expect(await pageWeight(page), `${name} weighs more than 150 KB`).toBeLessThanOrEqual(MAX_BYTES);
  return response;
}

test("sign-in page, and a wrong password said plainly", async ({ page }) => {
  await visit(page, "/login", "login");
  await page.getByLabel("Email").fill("requester@demo.example");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert")).toContainText("do not match");
  await capture(page, "login-error");
});

test("the portal's pages, and a requester kept out of the console", async ({ page }) => {
  await signIn(page, "requester");
  await visit(page, "/portal", "portal-list");
  const first = page.locator("table.tickets a").first();
  const href = await first.getAttribute("href");
  await visit(page, "/portal/new", "portal-new");
  await visit(page, href, "portal-request");
  await visit(page, "/account/password", "account-password");

  const refused = await page.goto("/console");
  expect(refused.status()).toBe(403);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Not available to you");
  await capture(page, "console-refused");
  const ticketId = href.split("/").pop();
  expect((await page.goto(`/console/tickets/${ticketId}`)).status()).toBe(403);
  // Another person's ticket does not exist for her.
  expect((await page.goto("/portal/tickets/1")).status()).toBe(404);
});

test("the console's queues and a ticket", async ({ page }) => {
  await signIn(page, "agent");
  await expect(page).toHaveURL(/\/console$/);
  for (const queue of ["mine", "unassigned", "open", "breaching", "breached", "pending", "recent"]) {
    await visit(page, `/console?queue=${queue}`, `console-queue-${queue}`);
    await expect(page.locator('.queues [aria-current="page"]')).toHaveCount(1);
  }
  await visit(page, "/console/new", "console-log-call");
  // Counts next to the queues match what the open queue lists (when it fits on a page).
  await page.goto("/console?queue=mine");
  const count = Number(await page.locator('[data-count="mine"]').textContent());
  await expect(page.locator("tr[data-row]")).toHaveCount(Math.min(count, 50));
  const link = page.locator("tr[data-row] a").first();
  const href = await link.getAttribute("href");
  await visit(page, href, "console-ticket-page");
  await expect(page.getByRole("heading", { name: "History" })).toBeVisible();
});
