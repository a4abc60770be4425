// report.html in a real browser: opened from disk, summary numbers checked against results.json,
// filtered by tool, a finding opened with its source snippet, a finding link followed, no console
// errors and no network; a screenshot is saved as an artifact.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { env, launch, open } from "./support.mjs";

const dir = join(env.out, "examples");
const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
const html = join(dir, "report.html");
let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("summary numbers match results.json", async () => {
  const { page, problems } = await open(browser, html);
  const number = async (card, key) => Number(await page.locator(`#${card} [data-key="${key}"]`).textContent());
  assert.equal(await number("totals", "jobs"), results.jobs.length);
  assert.equal(await number("totals", "passed"), results.totals.passed);
  assert.equal(await number("totals", "bugs"), results.bugs.length);
  const byStatus = {};
  for (const b of results.bugs) byStatus[b.status] = (byStatus[b.status] || 0) + 1;
  for (const [status, n] of Object.entries(byStatus)) assert.equal(await number("by-status", status), n, status);
  assert.equal(await page.locator("#verdict").textContent(), results.exit_code === 0 ? "PASS" : "FAIL");
  assert.equal(await page.locator("#matrix tr").count(), 1 + new Set(results.jobs.map((j) => j.suite + "/" + j.feature)).size);
  await page.screenshot({ path: join(env.artifacts, "report-summary.png"), fullPage: true });
  assert.deepEqual(problems, []);
});

test("filtering by tool shows exactly that tool's bugs", async () => {
  const { page, problems } = await open(browser, html);
  await page.selectOption("#filter-tool", "memcheck");
  const expected = results.bugs.filter((b) => b.occurrences.some((o) => o.tool === "memcheck")).length;
  assert.equal(await page.locator("#bug-count").textContent(), `${expected} of ${results.bugs.length} bugs`);
  assert.equal(await page.locator("#bug-list details.bug").count(), expected);
  await page.selectOption("#filter-tool", "asan");
  await page.fill("#filter-text", "ex_read_past_end");
  assert.equal(await page.locator("#bug-list details.bug").count(), 1);
  assert.deepEqual(problems, []);
});

test("opening a finding shows its stack and the source line highlighted", async () => {
  const { page, problems } = await open(browser, html);
  const bug = results.bugs.find((b) => b.kind === "mem.invalid_read");
  const details = page.locator(`#bug-${bug.fingerprint}`);
  await details.locator("summary").click();
  await page.waitForSelector(`#bug-${bug.fingerprint} pre.snippet`);
  assert.match(await details.locator(".frame .fn").first().textContent(), /ex_read_past_end/);
  const highlighted = await details.locator("pre.snippet .hl").first().textContent();
  assert.match(highlighted, /values\[10\]/, "the faulting source line, read at report time");
  // The driver runtime's frames are folded under one closed line, still one click away.
  const folded = details.locator("details.harness-frames").first();
  assert.match(await folded.locator("summary").textContent(), /Sohound's driver runtime/);
  assert.equal(await folded.getAttribute("open"), null);
  for (const fn of await details.locator(":scope > .body > .stack > .frame .fn").allTextContents())
    assert.doesNotMatch(fn, /^sohound_/);
  await page.screenshot({ path: join(env.artifacts, "report-finding.png"), fullPage: false });
  assert.deepEqual(problems, []);
});

test("a finding link opens that finding", async () => {
  const bug = results.bugs[results.bugs.length - 1];
  const { page, problems } = await open(browser, html, `#bug-${bug.fingerprint}`);
  const details = page.locator(`#bug-${bug.fingerprint}`);
  assert.equal(await details.getAttribute("open"), "");
  assert.ok(await details.isVisible());
  assert.match(await details.locator(".permalink").getAttribute("href"), new RegExp(bug.fingerprint));
  assert.deepEqual(problems, []);
});

test("a job shows its driver source and exact commands", async () => {
  const { page, problems } = await open(browser, html);
  const i = results.jobs.findIndex((j) => j.feature === "invalid_read" && j.tool === "memcheck");
  await page.locator(`#job-${i} summary`).click();
  assert.match(await page.locator(`#job-${i} pre.driver`).textContent(), /feature_invalid_read/);
  assert.match(await page.locator(`#job-${i} pre`).nth(1).textContent(), /valgrind --tool=memcheck --xml=yes/);
  assert.deepEqual(problems, []);
});
