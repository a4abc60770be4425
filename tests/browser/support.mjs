// Shared helpers: paths from the environment ctest sets, and a Chromium started the way this
// machine allows (Debian's /usr/bin/chromium, headless, no network, a fresh profile).
import { chromium } from "playwright-core";
import { tmpdir } from "node:os";

export const env = {
  bin: process.env.SOHOUND_BIN,
  source: process.env.SOHOUND_SOURCE_DIR,
  out: process.env.SOHOUND_E2E_OUT,
  artifacts: process.env.SOHOUND_ARTIFACTS || tmpdir(),
};

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
           "--disable-component-update", "--disable-sync"],  // playwright gives each launch a fresh profile
  });
}

// Opens a report from disk and records every console error, page error, dialog and request
// that leaves the file system.
export async function open(browser, path, hash = "") {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const problems = [];
  page.on("console", (m) => { if (m.type() === "error") problems.push("console: " + m.text()); });
  page.on("pageerror", (e) => problems.push("pageerror: " + e.message));
  page.on("dialog", (d) => { problems.push("dialog: " + d.message()); d.dismiss(); });
  page.on("request", (r) => { if (!r.url().startsWith("file://") && !r.url().startsWith("data:")) problems.push("request: " + r.url()); });
  await page.goto("file://" + path + hash);
  await page.waitForSelector("body[data-ready='1']", { timeout: 10000 });
  return { page, problems };
}
