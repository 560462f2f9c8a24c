// Playwright drives Debian's Chromium (no browser download); the server under test is started
// by run.sh, which passes its address in FRONTLINE_URL.
const { defineConfig } = require("@playwright/test");

module.exports = defineConfig({
  testDir: "./tests",
  // One browser at a time: the machine has two cores and the server shares them.
  workers: 1,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: {
    baseURL: process.env.FRONTLINE_URL || "http://127.0.0.1:8080",
    launchOptions: {
      executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-dev-shm-usage"],
    },
    viewport: { width: 1280, height: 900 },
    trace: "off",
  },
});
