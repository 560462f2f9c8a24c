// Saved views, canned responses and logging a call with a file: an agent filters a queue and
// saves it as a view, which then sits beside the built-in queues with its count; keeps a
// canned response and inserts it, filled in, into a reply; logs a phone call with an
// attachment. axe-core and screenshots at desktop and phone width on each new state.
const { test, expect } = require("@playwright/test");
const { signIn, capture } = require("./helpers");

test("save a queue as a view, see it with its count, rename and delete it", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const name = `Newest open ${stamp}`;
  await signIn(page, "agent");
  await page.goto("/console?queue=open");
  await page.getByLabel("Order").selectOption("-created");
  await page.getByRole("button", { name: "Apply" }).first().click();
  await expect(page).toHaveURL(/sort=-created/);
  await page.getByText("Save as a view").click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Share with").selectOption("private");
  await capture(page, "console-save-view");
  await page.getByRole("button", { name: "Save view" }).click();
  await expect(page).toHaveURL(/\/console\?view=\d+$/);
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);

  // The view is listed beside the queues, current, with a count that matches its rows.
  const tab = page.locator(".queues a", { hasText: name });
  await expect(tab).toHaveAttribute("aria-current", "page");
  const count = Number(await tab.locator(".count").textContent());
  expect(count).toBeGreaterThan(0);
  await expect(page.locator("tr[data-row]")).toHaveCount(Math.min(count, 50));
  // Newest first, as saved.
  const ids = await page.locator("tr[data-row]").evaluateAll((rows) => rows.map((r) => Number(r.dataset.id)));
  expect(ids).toEqual([...ids].sort((a, b) => b - a));
  await capture(page, "console-view");

  // From any other queue the view is one click away.
  await page.goto("/console?queue=mine");
  await page.getByRole("link", { name: new RegExp(name) }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);

  await page.getByText("About this view").click();
  await page.getByLabel("New name").fill(`${name} (renamed)`);
  await page.getByRole("button", { name: "Rename" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("(renamed)");
  await page.getByText("About this view").click();
  await page.getByRole("button", { name: "Delete this view" }).click();
  await expect(page).toHaveURL(/\/console$/);
  await expect(page.locator(".queues a", { hasText: name })).toHaveCount(0);
});

test("keep a canned response and insert it into a reply", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const title = `Fixed ${stamp}`;
  await signIn(page, "agent");
  await page.goto("/console/canned");
  await page.getByLabel("Name", { exact: true }).fill(title);
  await page.getByLabel("Text", { exact: true }).fill(
    "Hello {{requester.first_name}}, ticket #{{ticket.number}} is fixed. Regards, {{agent.name}}",
  );
  await page.getByRole("button", { name: "Add" }).click();
  await expect(page.getByRole("heading", { name: new RegExp(title) })).toBeVisible();
  await capture(page, "console-canned");

  await page.goto("/console?queue=open&sort=-created");
  const row = page.locator("tr[data-row]").first();
  const id = await row.getAttribute("data-id");
  await row.locator("a").click();
  await expect(page).toHaveURL(new RegExp(`/console/tickets/${id}$`));
  await page.getByLabel("Message").fill("Thanks for your patience.");
  await page.getByLabel("Canned response").selectOption({ label: `${title} (yours)` });
  await page.getByRole("button", { name: "Insert" }).click();
  const body = page.getByLabel("Message");
  await expect(body).toHaveValue(new RegExp(`^Thanks for your patience\\.\\n\\nHello .+, ticket #${id} is fixed\\. Regards, `));
  await expect(body).not.toHaveValue(/\{\{/);
  await capture(page, "console-ticket-canned");
  const text = await body.inputValue();
  await page.getByRole("button", { name: "Send" }).click();
  await expect(page.locator(".message.from-desk").last()).toContainText(`ticket #${id} is fixed`);
  expect(text).toContain("is fixed");
});

test("log a phone call: find the caller, or add a new one, with its time and a file", async ({ page }) => {
  const stamp = Date.now().toString(36);
  const subject = `Headset crackles on calls ${stamp}`;
  await signIn(page, "agent");
  await page.goto("/console/new");
  // A known caller is found by name and filled in.
  await page.getByLabel("Find the caller").fill("Riley");
  await page.getByRole("button", { name: "Find" }).click();
  await page.getByRole("list", { name: "Callers found" }).getByRole("link", { name: "Riley Requester" }).click();
  await expect(page.getByLabel("Caller's email")).toHaveValue("requester@demo.example");
  await capture(page, "console-log-call-found");

  // Someone new: named, routed, timed, solved on the phone, with a file.
  await page.goto("/console/new?find=nobody-like-this");
  await expect(page.getByRole("status")).toContainText("Nobody on the desk matches");
  await page.getByLabel("Caller's email").fill(`caller-${stamp}@demo.example`);
  await page.getByLabel(/Caller's name/).fill(`Casey Caller ${stamp}`);
  await page.getByLabel("Subject").fill(subject);
  await page.getByLabel("What they said").fill("Crackling since the last update; photo of the settings attached.");
  await page.getByLabel("Group").selectOption("First line (demo)");
  await page.getByLabel("Priority").selectOption("P2");
  await page.getByLabel(/Call duration/).fill("12");
  await page.getByLabel(/Solved during the call/).check();
  await page.getByLabel(/Attach files/).setInputFiles({
    name: "headset-settings.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("output: USB headset, 48 kHz\n"),
  });
  await capture(page, "console-log-call-file");
  await page.getByRole("button", { name: "Open ticket" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText(subject);
  await expect(page.getByRole("link", { name: "headset-settings.txt" })).toBeVisible();
  await expect(page.locator(".message.note")).toContainText("Phone call, 12 min. Solved during the call. Files received with the call.");
  await expect(page.getByRole("region", { name: "Time spent" })).toContainText("12 min");
  await expect(page.locator("body")).toContainText(`Casey Caller ${stamp}`);
  await capture(page, "console-call-with-file");
});
