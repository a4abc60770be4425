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

// What a cell must show for a job of results.json (report.js: cellState).
function expectedState(job) {
  if (!job || job.outcome === "skipped" || job.outcome === "cancelled") return "notrun";
  if (job.outcome !== "ok") return "failed";
  const failing = job.findings.filter((f) => f.status === "new" && f.severity === "error" && !f.root).length;
  if (failing > 0 || !job.passed) return "new";
  return job.findings.length ? "expected" : "clean";
}
const SYMBOLS = { failed: "✖", new: "▲", expected: "◆", clean: "✔", notrun: "–" };

test("every matrix cell shows its job's state by colour and by symbol", async () => {
  const seen = new Set();
  const colours = {};
  for (const run of ["outcomes", "programs", "examples"]) {
    const runResults = JSON.parse(readFileSync(join(env.out, run, "results.json"), "utf8"));
    const { page, problems } = await open(browser, join(env.out, run, "report.html"));
    const tools = await page.locator("#matrix tr").first().locator("th").allTextContents();
    for (const job of runResults.jobs) {
      const row = page.locator("#matrix tr").filter({ has: page.locator("td:first-child", { hasText: new RegExp(`^${(job.suite + "/" + job.feature).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}$`) }) });
      const cell = row.locator("td").nth(tools.indexOf(job.tool));
      const state = expectedState(job);
      assert.equal(await cell.getAttribute("data-state"), state, `${run} ${job.feature} ${job.tool}`);
      assert.equal(await cell.locator(".symbol").textContent(), SYMBOLS[state]);
      seen.add(state);
      colours[state] ??= await cell.evaluate((e) => getComputedStyle(e).backgroundColor);
    }
    if (run === "outcomes") await page.screenshot({ path: join(env.artifacts, "report-matrix.png"), fullPage: false });
    assert.deepEqual(problems, []);
  }
  // Every state appears in these runs, and no two share a colour (a failing cell is not the link blue).
  assert.deepEqual([...seen].sort(), ["clean", "expected", "failed", "new", "notrun"]);
  assert.equal(new Set(Object.values(colours)).size, 5, JSON.stringify(colours));
  const [r, g] = colours.new.match(/\d+/g).map(Number);
  assert.ok(r > g, `a cell with new findings is red: ${colours.new}`);
});

test("bug rows lead with the top user frame and its file:line", async () => {
  const { page, problems } = await open(browser, html);
  await page.fill("#filter-text", "ex_make_label");
  const bug = results.bugs.find((b) => b.stack.some((f) => f.function === "ex_make_label"));
  const frame = bug.stack.find((f) => f.function === "ex_make_label");
  const row = page.locator(`#bug-${bug.fingerprint} > summary`);
  const first = row.locator(":scope > span").nth(1);  // after the status badge
  assert.equal(await first.getAttribute("class"), "where");
  assert.equal(await first.textContent(), `ex_make_label ${frame.file.split("/").pop()}:${frame.line}`);
  // Every row: a located bug names a frame of its stack with a file and a line; a bug of a
  // feature's inline code names the spec file and the snippet's line.
  await page.fill("#filter-text", "");
  let specLines = 0;
  for (const b of results.bugs) {
    const where = await page.locator(`#bug-${b.fingerprint} > summary .where`).textContent();
    if (where === "no source frame") {
      assert.ok(!b.stack.some((f) => f.file && f.line > 0), `${b.fingerprint} has a source frame`);
      continue;
    }
    const m = where.match(/^(.+) ([^ ]+):(\d+)$/);
    assert.ok(m, where);
    assert.ok(b.stack.some((f) => f.function === m[1] && f.file.split("/").pop() === m[2] && f.line === Number(m[3])), `${where} in ${b.fingerprint}`);
    if (m[2].endsWith(".yaml")) ++specLines;
  }
  assert.ok(specLines > 0, "no bug row points into a spec");
  assert.deepEqual(problems, []);
});

// TSan's feature frame that Sohound put back (results.json "restored": its line is where the
// feature's code starts, not the call) says so in the page: the prebuilt run's race through an
// uninstrumented library.
test("a frame Sohound restored says so in the stack", async () => {
  const run = join(env.out, "prebuilt");
  const runResults = JSON.parse(readFileSync(join(run, "results.json"), "utf8"));
  const bug = runResults.bugs.find((b) => b.stack.some((f) => f.restored));
  assert.ok(bug, "the prebuilt run's TSan race through the library has a restored frame");
  const restored = bug.stack.find((f) => f.restored);
  const { page, problems } = await open(browser, join(run, "report.html"));
  const details = page.locator(`#bug-${bug.fingerprint}`);
  await details.locator("summary").click();
  const frame = details.locator(".frame.restored").first();
  assert.equal(await frame.locator(".fn").textContent(), restored.function);
  assert.match(await frame.locator(".restored").textContent(), /the feature's first line, not the call/);
  assert.match(await frame.getAttribute("title"), /^restored by Sohound/);
  assert.equal(await details.locator(".frame:not(.restored) .restored").count(), 0, "no other frame is marked");
  assert.deepEqual(problems, []);
});

// Races inside libraries the user did not write (results.json status "third_party") have a section
// of their own, one entry per bug naming the library and saying what it means; each links to its
// bug, whose body shows the same evidence.
test("third-party races are listed apart, with their library and what to do", async () => {
  const run = join(env.out, "ownership");
  const runResults = JSON.parse(readFileSync(join(run, "results.json"), "utf8"));
  const thirdParty = runResults.bugs.filter((b) => b.status === "third_party");
  assert.ok(thirdParty.length >= 3, "the ownership run has third-party races");
  const { page, problems } = await open(browser, join(run, "report.html"));
  const section = page.locator("#third-party");
  assert.match(await section.locator("h2").textContent(), new RegExp(`\\(${thirdParty.length}\\)`));
  assert.match(await section.locator("p").textContent(), /do not fail the run/);
  assert.equal(await section.locator(".entry").count(), thirdParty.length);
  const cjson = thirdParty.find((b) => b.owner === "libcjson.so.1.7.15");
  assert.ok(cjson, "cJSON's static global_error race is third_party");
  const link = section.locator(`a[href="#bug-${cjson.fingerprint}"]`);
  assert.equal(await link.textContent(), "race.data in libcjson.so.1.7.15");
  await page.selectOption("#filter-status", "third_party");
  const details = page.locator(`#bug-${cjson.fingerprint}`);
  await details.locator("summary").click();
  assert.match(await details.locator(".ownership").textContent(), /^Owner: libcjson\.so\.1\.7\.15\. Every access is inside/);
  assert.deepEqual(problems, []);
});

// Coroutines (suites/examples/coroutines.yaml): a leaked frame's bug is titled as its coroutine's,
// with where it was created in the body and whether it had finished; a race between coroutines names both, its top frame reads
// as the resumed coroutine, and the event loop's scheduler frames fold under one closed line.
test("a coroutine's leaked frame is titled, and the loop's frames fold", async () => {
  const run = join(env.out, "coroutines");
  const runResults = JSON.parse(readFileSync(join(run, "results.json"), "utf8"));
  const { page, problems } = await open(browser, join(run, "report.html"));
  const leak = runResults.bugs.find((b) => b.leaked_coroutine && /count_down/.test(b.leaked_coroutine.name));
  assert.ok(leak, "the frame_never_destroyed leak is a coroutine's frame in results.json");
  const leakDetails = page.locator(`#bug-${leak.fingerprint}`);
  // Memcheck read the frame: the task had finished, its owner never destroyed it.
  assert.match(await leakDetails.locator("summary .title").textContent(), /^frame of coroutine \(anonymous namespace\)::count_down\(int\) never destroyed \(finished\)$/);
  await leakDetails.locator("summary").click();
  assert.match(await leakDetails.locator(".coroutine").textContent(), /created by \(anonymous namespace\)::start_and_forget\(\)/);
  assert.match(await leakDetails.locator(".coroutine").textContent(), /never destroyed: it had finished \(waiting at its final suspend point/);
  const pending = runResults.bugs.find((b) => b.leaked_coroutine && /squares/.test(b.leaked_coroutine.name));
  assert.equal(pending.leaked_coroutine.state, "suspended");
  assert.match(await page.locator(`#bug-${pending.fingerprint} summary .title`).textContent(), / never destroyed \(left suspended\)$/);

  const race = runResults.bugs.find((b) => b.kind === "race.data" && (b.coroutines || []).some((c) => /add_orders/.test(c)));
  assert.ok(race, "the Asio race names its coroutines in results.json");
  const raceDetails = page.locator(`#bug-${race.fingerprint}`);
  assert.match(await raceDetails.locator("summary .where .fn").textContent(), /\[coroutine, resumed\]$/);
  await raceDetails.locator("summary").click();
  assert.match(await raceDetails.locator(".coroutine").textContent(), /^Coroutine: between coroutines /);
  const folded = raceDetails.locator("details.scheduler-frames").first();
  assert.match(await folded.locator("summary").textContent(), /^\d+ frames of the event loop's scheduler: /);
  assert.equal(await folded.getAttribute("open"), null);
  const shown = await raceDetails.locator(":scope > .body > .stack > .frame .fn").allTextContents();
  assert.ok(shown.length >= 1 && !shown.some((fn) => /^boost::asio::detail::scheduler::run/.test(fn)), shown.join("\n"));
  assert.deepEqual(problems, []);
});
