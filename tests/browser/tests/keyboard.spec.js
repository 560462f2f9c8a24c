// Keyboard-only triage: j/k move through a queue, Enter opens, r starts a reply, ? shows the
// keys; the reply is written and sent without touching the mouse.
const { test, expect } = require("@playwright/test");
const { signIn } = require("./helpers");

test("triage a queue with the keyboard alone", async ({ page }) => {
  await signIn(page, "agent");
  await page.goto("/console?queue=open");
  const rows = page.locator("tr[data-row]");
  expect(await rows.count()).toBeGreaterThan(2);

  await page.keyboard.press("?");
  await expect(page.getByRole("dialog", { name: "Keyboard shortcuts" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog")).toBeHidden();

  await page.keyboard.press("j");
  await expect(rows.nth(0)).toHaveClass(/selected/);
  await page.keyboard.press("j");
  await page.keyboard.press("j");
  await expect(rows.nth(2)).toHaveClass(/selected/);
  await page.keyboard.press("k");
  await expect(rows.nth(1)).toHaveClass(/selected/);
  await expect(rows.nth(1).locator("a")).toBeFocused();
  const id = await rows.nth(1).getAttribute("data-id");

  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(new RegExp(`/console/tickets/${id}$`));
  await page.keyboard.press("r");
  await expect(page.locator("#reply-body")).toBeFocused();
  const text = `Checked from the keyboard ${Date.now()}`;
  await page.keyboard.type(text);
  // Typing "r", "j" or "?" into the reply stays in the reply.
  await page.keyboard.type(" rj?");
  // Past the files and the time spent to Send.
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await page.keyboard.press("Tab");
  await expect(page.getByRole("button", { name: "Send" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.locator(".message.from-desk", { hasText: `${text} rj?` })).toBeVisible();
});

test("select tickets with x and change them together", async ({ page }) => {
  await signIn(page, "agent");
  await page.goto("/console?queue=open&sort=-created");
  const rows = page.locator("tr[data-row]");
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  await page.keyboard.press("j");
  await page.keyboard.press("x");
  await expect(rows.nth(0).locator('input[type="checkbox"]')).toBeChecked();
  await expect(rows.nth(1).locator('input[type="checkbox"]')).toBeChecked();
  await expect(rows.nth(2).locator('input[type="checkbox"]')).not.toBeChecked();
  const ids = [await rows.nth(0).getAttribute("data-id"), await rows.nth(1).getAttribute("data-id")];
  await page.getByLabel("Assignee").selectOption("me");
  await page.getByRole("button", { name: "Apply to selected" }).click();
  await expect(page).toHaveURL(/queue=open/);
  for (const id of ids) {
    await expect(page.locator(`tr[data-id="${id}"]`)).toContainText("Alex Agent");
  }
});
