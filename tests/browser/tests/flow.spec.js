// The end-to-end flow: a requester submits with an attachment → it shows up live in
// an agent's open queue → the agent replies and adds an internal note → the requester sees
// the reply and not the note → the requester replies and the ticket reopens → the agent
// resolves it.
const { test, expect } = require("@playwright/test");
const { signIn, capture } = require("./helpers");

test("request to resolution, across the portal and the console", async ({ browser }) => {
  const stamp = Date.now().toString(36);
  const subject = `Docking station not detected ${stamp}`;
  const reply = `Please try the other USB-C port and tell me what happens (${stamp}).`;
  const note = `INTERNAL ${stamp}: known firmware issue with this dock model`;

  const agentContext = await browser.newContext();
  const agent = await agentContext.newPage();
  await signIn(agent, "agent");
  // The agent watches the open queue, newest first, before the request exists.
  await agent.goto("/console?queue=open&sort=-created");
  await expect(agent.getByRole("heading", { level: 1 })).toContainText("All open");
  await expect(agent.getByText(subject)).toHaveCount(0);

  const requesterContext = await browser.newContext();
  const requester = await requesterContext.newPage();
  await signIn(requester, "requester");
  await expect(requester).toHaveURL(/\/portal$/);
  await requester.getByRole("link", { name: "New request" }).first().click();
  await requester.getByLabel("What do you need help with?").fill(subject);
  await requester.getByLabel(/Describe it/).fill("My laptop does not see the dock since this morning.");
  await requester.getByLabel("Category").selectOption({ index: 1 });
  await requester.getByLabel("I cannot work at all").check();
  await requester.getByLabel(/Attach files/).setInputFiles({
    name: "dock-diagnostics.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("usb: device descriptor read/64, error -71\n"),
  });
  await requester.getByRole("button", { name: "Send request" }).click();
  await expect(requester.getByRole("heading", { level: 1 })).toContainText(subject);
  await expect(requester.getByRole("link", { name: "dock-diagnostics.txt" })).toBeVisible();
  const ticketUrl = requester.url();
  const id = ticketUrl.split("/").pop();

  // Live: the agent's queue shows it without a reload.
  const row = agent.locator("tr[data-row]", { hasText: subject });
  await expect(row).toBeVisible({ timeout: 20_000 });
  await expect(agent.locator("#live-status")).toContainText("Queue updated");

  await row.getByRole("link", { name: subject }).click();
  await expect(agent).toHaveURL(new RegExp(`/console/tickets/${id}$`));
  await expect(agent.getByRole("link", { name: "dock-diagnostics.txt" })).toBeVisible();

  await agent.getByLabel("Public reply to the requester").check();
  await agent.getByLabel(/^Message/).fill(reply);
  await agent.getByRole("button", { name: "Send" }).click();
  await expect(agent.locator(".message.from-desk", { hasText: reply })).toBeVisible();

  await agent.getByLabel("Internal note for the team").check();
  await agent.getByLabel(/^Message/).fill(note);
  await agent.getByRole("button", { name: "Send" }).click();
  const noteBox = agent.locator(".message.note", { hasText: note });
  await expect(noteBox).toBeVisible();
  await expect(noteBox).toContainText("Internal note");
  // Waiting on the requester now.
  await agent.getByLabel("Status").selectOption("pending");
  await agent.getByRole("button", { name: "Save changes" }).click();
  await expect(agent.locator(".meta")).toContainText("Pending");
  await capture(agent, "console-ticket");

  await requester.goto(ticketUrl);
  await expect(requester.getByText(reply)).toBeVisible();
  await expect(requester.getByText(note)).toHaveCount(0);
  await expect(requester.locator("body")).not.toContainText("INTERNAL");
  await expect(requester.locator(".meta")).toContainText("Waiting for your reply");
  // The note's content is not anywhere in what the server sent, hidden or not.
  const html = await requester.content();
  expect(html).not.toContain(note);

  await requester.getByLabel("Your message").fill("The other port works, but the first one still does not.");
  await requester.getByRole("button", { name: "Send reply" }).click();
  await expect(requester.locator(".meta")).toContainText("In progress");
  await capture(requester, "portal-ticket");

  await agent.reload();
  await expect(agent.locator(".meta")).toContainText("Open");
  await expect(agent.getByText("The other port works")).toBeVisible();
  await agent.getByLabel("Status").selectOption("resolved");
  await agent.getByRole("button", { name: "Save changes" }).click();
  await expect(agent.locator(".meta")).toContainText("Resolved");
  await expect(agent.locator(".history")).toContainText("changed status: open → resolved");

  await requester.reload();
  await expect(requester.locator(".meta")).toContainText("Solved");

  await agentContext.close();
  await requesterContext.close();
});
