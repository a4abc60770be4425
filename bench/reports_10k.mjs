// Reports for 10,000 findings: time to render all four (sohound report: read results.json, write
// JSON, JUnit, SARIF, HTML with source snippets), then time for report.html to open and become
// interactive in headless Chromium (navigation until the page marks itself ready), and to apply a
// filter and open a finding. Targets: render < 2 s, interactive < 2 s.
// Usage: node bench/reports_10k.mjs [build/harness/sohound] [findings]   (after ci/test.sh's npm ci)
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync, readdirSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "tests", "browser", "package.json"));
const { chromium } = require("playwright-core");
const bin = resolve(process.argv[2] || join(root, "build", "harness", "sohound"));
const total = Number(process.argv[3] || 10000);

// Real source files, so snippets are read from disk as in a real run.
const sources = [];
for (const d of ["harness/exec", "harness/parse", "harness/spec", "reports"])
  for (const f of readdirSync(join(root, d))) if (/\.(cpp|hpp)$/.test(f)) sources.push(join(root, d, f));
const kinds = ["leak.definite", "leak.indirect", "mem.invalid_read", "mem.invalid_write", "race.data", "ub.signed-integer-overflow", "fd.leak"];
const tools = ["memcheck", "helgrind", "drd", "asan", "tsan", "ubsan"];
const statuses = ["new", "expected", "suppressed", "baseline"];
const jobs = [];
const perJob = 50;
for (let j = 0; j * perJob < total; ++j) {
  const findings = [];
  for (let k = 0; k < perJob && j * perJob + k < total; ++k) {
    const n = j * perJob + k;
    const stack = [];
    for (let f = 0; f < 12; ++f) stack.push({ function: `ns::module_${n % 97}::function_${f}(int, char const*)`, file: sources[(n + f) % sources.length], line: 1 + ((n * 7 + f * 13) % 60), object: "/out/lib/libbig.so" });
    findings.push({ kind: kinds[n % kinds.length], tool_kind: "X", fingerprint: n.toString(16).padStart(16, "0"), message: `finding number ${n} of ${total}`,
                    status: statuses[n % statuses.length], severity: "error", count: 1 + (n % 3), bytes: 16, blocks: 1, pid: 1, stack,
                    aux_stacks: [{ label: "Address 0x0 is 0 bytes after a block of size 40 alloc'd", stack: stack.slice(0, 6) }] });
  }
  jobs.push({ suite: "big", feature: `feature_${j % 40}`, tool: tools[j % tools.length], outcome: "ok", passed: false, message: "",
              duration_s: 1, exit_code: 0, signal: 0, findings, unmatched_expectations: [], notes: [], log: "", job_dir: "/out",
              driver_source: "int main(void){return 0;}\n", build_command: "gcc", run_command: "valgrind",
              reports: [], phases: [{ name: "build", start_s: j * 0.1, end_s: j * 0.1 + 0.05 }, { name: "run", start_s: j * 0.1 + 0.05, end_s: j * 0.1 + 0.5 }] });
}
// Unique (suite, feature, tool) per job.
jobs.forEach((job, i) => { job.feature = `feature_${i}`; });
const dir = mkdtempSync(join(tmpdir(), "sohound-10k-"));
writeFileSync(join(dir, "results.json"), JSON.stringify({ schema: "sohound.results/1", sohound_version: "bench", started_at: "now",
  duration_s: 1, interrupted: false, exit_code: 1, specs: ["big.yaml"], jobs, suppressions: [] }));

const t0 = performance.now();
execFileSync(bin, ["report", join(dir, "results.json"), "--report", "json,junit,sarif,html", "--out", join(dir, "out"), "--source-root", root]);
const render = (performance.now() - t0) / 1000;
const size = (f) => (statSync(join(dir, "out", f)).size / 1e6).toFixed(1) + " MB";
console.log(`findings: ${total}; rendering all reports (sohound report): ${render.toFixed(2)} s ` +
            `(html ${size("report.html")}, sarif ${size("results.sarif")}, junit ${size("junit.xml")})`);

const browser = await chromium.launch({ executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"] });
const times = [];
for (let round = 0; round < 3; ++round) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const start = performance.now();
  await page.goto("file://" + join(dir, "out", "report.html"));
  await page.waitForSelector("body[data-ready='1']");
  const interactive = (performance.now() - start) / 1000;
  const f0 = performance.now();
  await page.selectOption("#filter-tool", "tsan");
  await page.fill("#filter-text", "function_3");
  await page.locator("details.bug summary").first().click();
  await page.waitForSelector("details.bug[open] .stack");
  const interaction = (performance.now() - f0) / 1000;
  times.push([interactive, interaction]);
  if (errors.length) throw new Error(errors.join("\n"));
  await page.close();
}
await browser.close();
times.sort((a, b) => a[0] - b[0]);
const [interactive, interaction] = times[1];
console.log(`report.html open to interactive (median of 3): ${interactive.toFixed(2)} s; filter + open a finding: ${interaction.toFixed(2)} s`);
