// Shared steps: signing in as a demo account, the axe-core check, screenshots at desktop
// and phone width into the folder named by SCREENSHOT_DIR (default: screenshots/).
const path = require("path");
const fs = require("fs");
const { expect } = require("@playwright/test");
const AxeBuilder = require("@axe-core/playwright").default;

const ACCOUNTS = {
  agent: ["agent@demo.example", "demo-agent-pass"],
  manager: ["manager@demo.example", "demo-manager-pass"],
  requester: ["requester@demo.example", "demo-requester-pass"],
};

const SCREENSHOTS = path.resolve(__dirname, "..", process.env.SCREENSHOT_DIR || "screenshots");

async function signIn(page, who) {
  const [email, password] = ACCOUNTS[who];
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).not.toHaveURL(/\/login/);
}

/** Fails on any serious or critical axe-core violation, listing them. */
async function checkAccessibility(page, label) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const summary = bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary, `axe-core on ${label}`).toEqual([]);
}

/** Screenshots at desktop and phone width, then back to desktop; checks axe-core at both. */
async function capture(page, name) {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const [suffix, size] of [["desktop", { width: 1280, height: 900 }], ["phone", { width: 390, height: 844 }]]) {
    await page.setViewportSize(size);
    await checkAccessibility(page, `${name} (${suffix})`);
    // Nothing may stick out sideways on a phone.
    if (suffix === "phone") {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} scrolls sideways on a phone`).toBeLessThanOrEqual(1);
    }
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${suffix}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}

/** The page's weight on the wire, HTML plus its script and stylesheet. */
async function pageWeight(page) {
  return page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const resources = performance.getEntriesByType("resource");
    return (nav ? nav.transferSize || nav.encodedBodySize : 0)
      + resources.reduce((sum, r) => sum + (r.transferSize || r.encodedBodySize || 0), 0);
  });
}

module.exports = { ACCOUNTS, SCREENSHOTS, signIn, checkAccessibility, capture, pageWeight };
