// Two agents edit the same ticket: the second is told, and the first one's change stands.
const { test, expect } = require("@playwright/test");
const { signIn } = require("./helpers");

test("the second of two agents editing one ticket is told, not overwritten", async ({ browser }) => {
  const one = await (await browser.newContext()).newPage();
  const two = await (await browser.newContext()).newPage();
  await signIn(one, "agent");
  await signIn(two, "manager");
  await one.goto("/console?queue=open");
  const href = await one.locator("tr[data-row] a").first().getAttribute("href");
  await one.goto(href);
  await two.goto(href);
  // Each sees the other there.
  await expect(one.locator("#ticket-viewers")).toHaveText("Also viewing this ticket: Mona Manager", { timeout: 20_000 });
  await expect(two.locator("#ticket-viewers")).toHaveText("Also viewing this ticket: Alex Agent", { timeout: 20_000 });
  // Nobody changed anything yet, so after a few polls still nothing says so.
  await two.waitForTimeout(5000);
  await expect(two.locator("#ticket-live")).toHaveText("");

  const before = await one.getByLabel("Urgency").inputValue();
  const changed = before === "low" ? "high" : "low";
  await one.getByLabel("Urgency").selectOption(changed);
  await one.getByRole("button", { name: "Save changes" }).click();
  await expect(one.locator(".history")).toContainText(`changed urgency: ${before} → ${changed}`);
  // The second agent's open page says, live, who changed the ticket.
  await expect(two.locator("#ticket-live")).toContainText("Changed just now by Alex Agent", { timeout: 20_000 });
  await expect(two.getByRole("link", { name: "Show the changes" })).toBeVisible();

  await two.getByLabel("Status").selectOption("on_hold");
  await two.getByRole("button", { name: "Save changes" }).click();
  await expect(two.getByRole("alert")).toContainText("Someone else changed this ticket");
  // The page shows the first agent's change, and the stale form changed nothing.
  await expect(two.getByLabel("Urgency")).toHaveValue(changed);
  await expect(two.getByLabel("Status")).not.toHaveValue("on_hold");
});
