// Hostile strings in every field a report shows (symbols, paths, messages, logs, driver source,
// source lines with markup, control characters and invalid UTF-8): nothing executes, and every
// report stays valid.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { env, launch, open } from "./support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(env.out, "hostile");
const input = join(env.out, "hostile-input");
const evil = `</script><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>`;
const control = "\u0001\u001b[31m\u0007";
let browser;

before(async () => {
  // The results come from elsewhere (input/); the reports go to a new folder Sohound claims.
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(input, { recursive: true });
  const frame = { function: `evil${evil}(char const*)`, file: join(here, "hostile", "evil.c"), line: 4, object: `/lib/${evil}.so` };
  const finding = {
    kind: "leak.definite", tool_kind: "Leak_DefinitelyLost", fingerprint: "deadbeefdeadbeef", message: `13 bytes ${evil}${control}`,
    status: "new", severity: "error", count: 1, bytes: 13, blocks: 1, pid: 1, stack: [frame], aux_stacks: [{ label: evil, stack: [frame] }],
  };
  const job = {
    suite: "hostile", feature: "evil", tool: "memcheck", outcome: "ok", passed: false, message: evil, duration_s: 0.1,
    exit_code: 0, signal: 0, findings: [finding], unmatched_expectations: [evil], notes: [evil], log: `${evil}${control}`,
    job_dir: "/tmp", driver_source: `/* ${evil} */`, build_command: `gcc ${evil}`, run_command: `valgrind ${evil}`,
    reports: [], phases: [["run", 0, 0.1]].map(([name, start_s, end_s]) => ({ name, start_s, end_s })),
  };
  writeFileSync(join(input, "results.json"), JSON.stringify({ schema: "sohound.results/1", sohound_version: "0", started_at: evil,
    duration_s: 1, interrupted: false, exit_code: 1, specs: [evil], jobs: [job], suppressions: [{ name: evil, source: evil, matched: 0 }] }));
  // Snippets of a foreign results.json come only from under --source-root.
  execFileSync(env.bin, ["report", join(input, "results.json"), "--report", "html,junit,sarif", "--source-root", here, "--out", dir]);
  browser = await launch();
});
after(async () => { await browser?.close(); });

test("nothing in the HTML executes and the hostile text is shown as text", async () => {
  const { page, problems } = await open(browser, join(dir, "report.html"));
  await page.locator("details.bug summary").first().click();
  await page.locator("#job-0 summary").click();
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator("img").count(), 0, "no element was created from data");
  assert.match(await page.locator("details.bug .msg").first().textContent(), /<\/script><img src=x onerror=/);
  const snippet = await page.locator("pre.snippet .hl").first().textContent();
  assert.match(snippet, /<\/script><img/);
  assert.match(snippet, /\uFFFD/, "invalid UTF-8 in the source is replaced, not passed through");
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  assert.match(csp, /default-src 'none'/);
  assert.deepEqual(problems, []);
});

test("the HTML's data block cannot be closed early", () => {
  const text = readFileSync(join(dir, "report.html"), "utf8");
  const block = text.slice(text.indexOf('id="sohound-data">'), text.indexOf("</script>", text.indexOf('id="sohound-data">')));
  assert.ok(!block.slice(20).includes("<"), "no raw '<' inside the JSON block");
});

test("junit.xml stays well-formed XML", async () => {
  const xml = readFileSync(join(dir, "junit.xml"), "utf8");
  const page = await browser.newPage();
  const errors = await page.evaluate((x) => {
    const doc = new DOMParser().parseFromString(x, "application/xml");
    return doc.getElementsByTagName("parsererror").length;
  }, xml);
  assert.equal(errors, 0);
  assert.ok(xml.includes("&lt;/script&gt;"));
});

test("results.sarif stays valid JSON", () => {
  const sarif = JSON.parse(readFileSync(join(dir, "results.sarif"), "utf8"));
  assert.equal(sarif.runs[0].results.length, 1);
  assert.match(sarif.runs[0].results[0].message.text, /<\/script>/);
});
