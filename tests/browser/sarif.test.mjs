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
  // A file the multitool cannot read as SARIF (an invalid URI, say) is skipped with a note, not an
  // error: that is a problem too (results.sarif once held "file://./nptl/..." URIs and was skipped).
  if (/invalid target for analysis/.test(text)) return [`${file}: skipped by the validator as an invalid target`];
  // SARIF2005 asks for the tool's informationUri, a web page Sohound does not have.
  const wanted = (id) => id !== "SARIF2005";
  const problems = text.split("\n").filter((l) => /: (error|warning) /.test(l) && wanted(l.match(/(SARIF\d+)/)?.[1]));
  const out = JSON.parse(readFileSync(log, "utf8"));
  for (const run of out.runs)
    for (const r of run.results || []) if (wanted(r.ruleId)) problems.push(`${r.ruleId}: ${JSON.stringify(r.message)}`);
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
    for (const r of sarif.runs[0].results) assert.match(r.partialFingerprints["sohoundFingerprint/v2"], /^[0-9a-f]{16}$/);
    // Every physical location is a file that exists under the source root, never Sohound's runtime
    // or a build machine's path; and no stack shows the driver runtime's frames.
    const root = sarif.runs[0].originalUriBaseIds?.SRCROOT?.uri?.replace(/^file:\/\//, "");
    let physical = 0;
    const visit = (location) => {
      const uri = location?.physicalLocation?.artifactLocation?.uri;
      for (const l of location?.logicalLocations || []) assert.doesNotMatch(l.fullyQualifiedName, /^sohound_/);
      if (!uri) return;
      physical++;
      assert.ok(root, "a physical location needs the source root");
      assert.equal(location.physicalLocation.artifactLocation.uriBaseId, "SRCROOT", uri);
      assert.ok(existsSync(join(root, uri)), `${uri} does not exist under ${root}`);
      assert.doesNotMatch(uri, /sohound_rt[a-z_]*\.h$/);
    };
    for (const r of sarif.runs[0].results) {
      for (const l of r.locations) visit(l);
      for (const s of r.stacks || []) for (const f of s.frames) visit(f.location);
    }
    if (run !== "outcomes") assert.ok(physical > 0, "the examples' own sources are located");
    assert.ok(readFileSync(file).length < 10 * 1024 * 1024);
  });
}
