// results.sarif validated by Microsoft's SARIF multitool (schema and SARIF rules), for every
// fixture run; a broken log must be rejected, so the check can fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { tmpdir } from "node:os";
import { env } from "./support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const tool = join(here, "node_modules", "@microsoft", "sarif-multitool-linux", "Sarif.Multitool");
if (existsSync(tool)) chmodSync(tool, 0o755);  // npm 11 does not run the package's postinstall chmod

// Problems the validator reports, from its console output and its own SARIF log.
function validate(file) {
  const log = join(tmpdir(), `sohound-validate-${process.pid}.sarif`);
  const text = execFileSync(tool, ["validate", file, "-o", log, "--log", "ForceOverwrite", "--level", "Error", "Warning"],
                            { encoding: "utf8" });
  const problems = text.split("\n").filter((l) => /: (error|warning) /.test(l));
  const out = JSON.parse(readFileSync(log, "utf8"));
  for (const run of out.runs) for (const r of run.results || []) problems.push(`${r.ruleId}: ${JSON.stringify(r.message)}`);
  return problems;
}

test("the validator rejects a broken log", () => {
  const bad = join(tmpdir(), `sohound-broken-${process.pid}.sarif`);
  writeFileSync(bad, JSON.stringify({ version: "2.1.0", runs: [{ results: [{ message: { text: "x" } }] }] }));
  assert.notDeepEqual(validate(bad), []);
});

for (const run of ["examples", "threads", "outcomes"]) {
  test(`results.sarif of the ${run} run is valid SARIF 2.1.0`, () => {
    const file = join(env.out, run, "results.sarif");
    assert.deepEqual(validate(file), []);
    const sarif = JSON.parse(readFileSync(file, "utf8"));
    const results = JSON.parse(readFileSync(join(env.out, run, "results.json"), "utf8"));
    assert.equal(sarif.runs[0].results.length, results.bugs.length, "one result per bug");
    for (const r of sarif.runs[0].results) assert.match(r.partialFingerprints["sohoundFingerprint/v1"], /^[0-9a-f]{16}$/);
    assert.ok(readFileSync(file).length < 10 * 1024 * 1024);
  });
}
