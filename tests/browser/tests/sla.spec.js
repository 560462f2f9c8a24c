// The SLA in the console: the demo's live incidents run under its "Incidents" policy. Their
// queue rows show the nearest target's state and business time left, the countdown moves
// without a reload, the SLA queues sit in the sidebar with their counts, and the ticket page
// lists every target with its policy and due time.
const { test, expect } = require("@playwright/test");
const { signIn, capture } = require("./helpers");

test("SLA cells count down, and the SLA queues and panel show where tickets stand", async ({ page }) => {
  await page.clock.install();
  await signIn(page, "agent");
  await page.goto("/console?queue=open&sort=due");
  await expect(page.getByRole("columnheader", { name: "SLA" })).toHaveAttribute("aria-sort", "ascending");
  // The demo's live incidents were opened when the server started: on track, counting down.
  // (Older tickets the other tests changed have the policy applied to their whole history,
  // and are long overdue.)
  const cell = page.locator("tr[data-row] .sla-running[data-ticking]").first();
  await expect(cell).toContainText("On track");
  const left = cell.locator(".sla-left");
  await expect(left).toContainText("left");
  const before = await left.textContent();
  await page.clock.runFor(10 * 60 * 1000);
  await expect(left).not.toHaveText(before);
  await expect(left).toContainText("left");
  await capture(page, "console-queue-sla");

  for (const [queue, label] of [["breaching", "SLA due within 2 h"], ["breached", "SLA breached"]]) {
    const link = page.locator(".queues").getByRole("link", { name: new RegExp(label) });
    await expect(link.locator("[data-count]")).toHaveText(/^\d+\+?$/);
    await link.click();
    await expect(page).toHaveURL(new RegExp(`queue=${queue}`));
    await expect(page.getByRole("heading", { level: 1 })).toContainText(label);
  }

  await page.goto("/console?queue=open&sort=due");
  await page.locator("tr[data-row]").filter({ has: page.locator(".sla-running") }).first().getByRole("link").click();
  const panel = page.getByRole("region", { name: "Service level" });
  await expect(panel).toBeVisible();
  const resolution = panel.getByRole("listitem").filter({ hasText: "Resolution" });
  await expect(resolution).toContainText("Incidents");
  await expect(resolution.locator(".sla")).toContainText(/left|over/);
  await capture(page, "console-ticket-sla");
});
