// Finding work in the console: the queues that cover every ticket, a dense list that uses a
// 1920×1080 screen (at least 25 rows above the fold, names rather than addresses), ordering
// by a column header, the header's search (a number opens the ticket, a name finds the
// person and their tickets, "s" and "]" from the keyboard), and an error page that keeps the
// navigation. axe-core checks each page (through capture).
const { test, expect } = require("@playwright/test");
const { signIn, capture } = require("./helpers");

test("queues cover every ticket, densely, ordered by their headers", async ({ page }) => {
  await signIn(page, "agent");
  for (const queue of ["groups", "triage", "closed", "all"]) {
    await page.goto(`/console?queue=${queue}`);
    await expect(page.locator('.queues [aria-current="page"]')).toHaveCount(1);
    await capture(page, `console-queue-${queue}`);
  }
  // The new queues are in the sidebar with their counts.
  for (const key of ["groups", "triage", "closed", "all"]) {
    await expect(page.locator(`[data-count="${key}"]`)).toHaveText(/^\d+\+?$/);
  }

  await page.setViewportSize({ width: 1920, height: 1080 });
  await page.goto("/console?queue=all");
  const visible = await page.locator("tr[data-row]").evaluateAll((rows) =>
    rows.filter((r) => r.getBoundingClientRect().bottom <= window.innerHeight).length);
  expect(visible, "rows above the fold at 1920×1080").toBeGreaterThanOrEqual(25);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(wide, "the list fits the screen").toBeLessThanOrEqual(1);
  // Assignees are named, not mailed.
  const assignees = await page.locator('td[data-label="Assignee"]').allTextContents();
  expect(assignees.some((a) => a.includes("@")), assignees.join(", ")).toBe(false);

  await page.setViewportSize({ width: 1366, height: 768 });
  const laptop = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(laptop, "the list fits a laptop").toBeLessThanOrEqual(1);

  // The # header orders oldest first on a second click.
  await page.getByRole("link", { name: "#", exact: false }).first().click();
  await expect(page.locator('th[aria-sort] a')).toHaveText(/#/);
  const sorted = page.locator("th[aria-sort]");
  const first = await sorted.getAttribute("aria-sort");
  await sorted.locator("a").click();
  await expect(page.locator("th[aria-sort]")).toHaveAttribute("aria-sort", first === "ascending" ? "descending" : "ascending");
  const ids = (await page.locator("tr[data-row]").evaluateAll((rows) => rows.map((r) => Number(r.dataset.id))));
  const ordered = [...ids].sort((a, b) => (first === "ascending" ? b - a : a - b));
  expect(ids).toEqual(ordered);
});

test("the header's search finds a ticket, a person and their tickets", async ({ page }) => {
  await signIn(page, "agent");
  await page.goto("/console?queue=all");
  const id = await page.locator("tr[data-row]").nth(3).getAttribute("data-id");
  const requester = (await page.locator("tr[data-row]").nth(3).locator('td[data-label="Requester"]').textContent()).trim();

  // "s" goes to the search; a number opens that ticket.
  await page.keyboard.press("s");
  await expect(page.locator("#top-q")).toBeFocused();
  await page.keyboard.type(`#${id}`);
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/console/tickets/${id}$`));
  // "]" moves on to the next ticket of the list last seen.
  await page.keyboard.press("]");
  await expect(page).not.toHaveURL(new RegExp(`/console/tickets/${id}$`));
  await expect(page).toHaveURL(/\/console\/tickets\/\d+$/);

  // A name finds the person; their tickets are a click away.
  await page.locator("#top-q").fill(requester);
  await page.locator("#top-q").press("Enter");
  // The one person the name fits, and (as no subject holds it) their tickets.
  await expect(page.getByRole("region", { name: "People" })).toContainText(requester);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(`Tickets of ${requester}`);
  await capture(page, "console-search-person");
  await page.getByRole("region", { name: "People" }).getByRole("link", { name: requester }).first().click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Tickets of");
  await expect(page.locator("tr[data-row]").first()).toBeVisible();
  await capture(page, "console-search-requester");

  // Words find tickets, solved and closed ones too.
  await page.goto("/console?queue=closed");
  const closed = page.locator("tr[data-row]").first();
  const closedId = await closed.getAttribute("data-id");
  const subject = (await closed.locator('td[data-label="Subject"]').textContent()).trim();
  await page.locator("#top-q").fill(subject);
  await page.locator("#top-q").press("Enter");
  await expect(page.locator(`tr[data-id="${closedId}"]`)).toBeVisible();
  await capture(page, "console-search-words");
});

test("an error page keeps the navigation", async ({ page }) => {
  await signIn(page, "agent");
  const missing = await page.goto("/console/tickets/987654321");
  expect(missing.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Not found");
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Console" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await capture(page, "console-not-found");
  const nowhere = await page.goto("/console/no-such-page");
  expect(nowhere.status()).toBe(404);
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});
