// report.html at scale (issue 23): 1,000 jobs and 10,000 findings, made from a real run's
// results.json (the bundled examples) by copying its jobs and findings under new names and
// fingerprints, one job in twenty crashed and one in ten with a new finding. Rendered by `sohound report`, opened in Chromium: ready
// in seconds, the failing jobs in the first screen, new bugs before the rest, passing rows folded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { env, launch, open } from "./support.mjs";

const JOBS = 1000, FINDINGS_PER_JOB = 10;
const dir = join(env.out, "scale");
let browser;

function bigResults() {
  const real = JSON.parse(readFileSync(join(env.out, "examples", "results.json"), "utf8"));
  const pool = real.jobs.flatMap((j) => j.findings);
  assert.ok(pool.length > 0, "the examples run reports findings");
  const jobs = [];
  for (let k = 0; jobs.length < JOBS; ++k)
    for (const j of real.jobs) {
      if (jobs.length >= JOBS) break;
      const n = jobs.length;
      const copy = structuredClone(j);
      copy.feature = `f${String(k).padStart(3, "0")}_${j.feature}`;
      copy.findings = [];
      for (let f = 0; f < FINDINGS_PER_JOB; ++f) {
        const finding = structuredClone(pool[(n + f) % pool.length]);
        finding.fingerprint = (n * FINDINGS_PER_JOB + f).toString(16).padStart(16, "0");
        finding.root = "";
        if (f === 0 && n % 10 === 3) Object.assign(finding, { status: "new", severity: "error" });
        if (n % 10 === 5 && f < 2) finding.status = f === 0 ? "suppressed" : "baseline";
        copy.findings.push(finding);
      }
      if (n % 10 === 3) copy.passed = false;  // its new finding fails it
      if (n % 20 === 7) Object.assign(copy, { outcome: "crashed", passed: false, message: "the driver died of SIGSEGV" });
      jobs.push(copy);
    }
  real.jobs = jobs;
  delete real.bugs;
  return real;
}

before(async () => {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const results = bigResults();
  assert.equal(results.jobs.reduce((n, j) => n + j.findings.length, 0), JOBS * FINDINGS_PER_JOB);
  writeFileSync(join(dir, "results.json"), JSON.stringify(results));
  execFileSync(env.bin, ["report", join(dir, "results.json"), "--out", join(dir, "report"), "--report", "html"]);
  browser = await launch();
});
after(async () => { await browser?.close(); });

test("a report of 1,000 jobs and 10,000 findings is ready in seconds, what failed on the first screen", async () => {
  const started = Date.now();
  const { page, problems } = await open(browser, join(dir, "report", "report.html"));
  const readyMs = Date.now() - started;
  console.log(`report.html, ${JOBS} jobs, ${JOBS * FINDINGS_PER_JOB} findings: ready in ${readyMs} ms`);
  assert.ok(readyMs < 8000, `ready in ${readyMs} ms`);
  // The failing jobs lead the page: the first one's link is inside the first 1000 px.
  const first = page.locator("#failed-jobs a").first();
  const box = await first.boundingBox();
  assert.ok(box && box.y + box.height < 1000, `first failing job at ${JSON.stringify(box)}`);
  assert.match(await page.locator("#failed h2").textContent(), /^What failed: 150 jobs, 100 new bugs/);
  // Jobs: failed first, the passing ones folded under one button.
  const rows = page.locator("#job-list details.job");
  assert.equal(await rows.count(), 150);
  assert.equal(await rows.first().getAttribute("data-verdict"), "FAIL");
  await page.click("#jobs-unfold");
  assert.equal(await rows.count(), JOBS);
  await page.selectOption("#job-sort", "duration");
  await page.selectOption("#job-filter-verdict", "PASS");
  assert.equal(await page.locator("#job-count").textContent(), `${JOBS - 150} of ${JOBS} jobs`);
  // Features that failed nothing are folded in the matrix too.
  assert.ok(await page.locator("#matrix tr.folded").count() > 0);
  const scrolled = Date.now();
  await page.locator("#timeline").scrollIntoViewIfNeeded();
  assert.ok(Date.now() - scrolled < 2000);
  await page.screenshot({ path: join(env.artifacts, "report-scale.png"), fullPage: false });
  assert.deepEqual(problems, []);
});

test("new bugs come before expected ones, each row naming its feature", async () => {
  const { page, problems } = await open(browser, join(dir, "report", "report.html"));
  const statuses = await page.locator("#bug-list details.bug .badge").evaluateAll((b) => b.map((e) => e.textContent));
  assert.deepEqual(statuses.slice(0, 100), Array(100).fill("new"));
  assert.ok(!statuses.slice(100).includes("new"), statuses.slice(95, 110).join(","));
  assert.match(await page.locator("#bug-list details.bug .feature").first().textContent(), /^in examples\/f\d{3}_/);
  // A cell says what its findings are, not "10 expected" for suppressed and baselined ones.
  const cells = await page.locator("#matrix td.cell.expected").allTextContents();
  assert.ok(cells.some((t) => t.includes("1 in baseline, 8 expected, 1 suppressed")), cells.slice(0, 10).join(" | "));
  assert.ok(!cells.some((t) => t.includes("10 expected") && t.includes("suppressed")));
  assert.deepEqual(problems, []);
});
