// The CI templates (ci/templates) checked by the engines' own parsers: GitHub's workflow parser
// (@actions/workflow-parser, what GitHub runs on a workflow file) and gitlab-ci-local (GitLab's
// JSON schema, then the pipeline run locally with the shell executor). Where the machine is a
// throwaway CI machine (SOHOUND_SYSTEM_TESTS=1, as root), the GitLab job runs for real: it downloads
// the sohound_*.deb this build made (cpack, fixture e2e.package.build), installs it with apt-get,
// runs a spec, and the package is removed again.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "node:module";
import { env } from "./support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
register("./json-attributes.mjs", import.meta.url);
const { parseWorkflow, NoOperationTraceWriter, convertWorkflowTemplate } = await import("@actions/workflow-parser");
const gitlabCiLocal = join(here, "node_modules", ".bin", "gitlab-ci-local");
const templates = join(env.source, "ci", "templates");

async function githubErrors(content) {
  const parsed = parseWorkflow({ name: "sohound.yml", content }, new NoOperationTraceWriter());
  const errors = parsed.context.errors.getErrors().map((e) => e.message);
  if (errors.length) return { errors };
  const workflow = await convertWorkflowTemplate(parsed.context, parsed.value);
  return { errors: (workflow.errors || []).map((e) => e.Message), workflow };
}

test("GitHub's workflow parser accepts the GitHub Actions template", async () => {
  const { errors, workflow } = await githubErrors(readFileSync(join(templates, "github-actions.yml"), "utf8"));
  assert.deepEqual(errors, []);
  const job = workflow.jobs.find((j) => j.id.value === "sohound");
  assert.ok(job, "the sohound job");
  const uses = job.steps.map((s) => s.uses?.value).filter(Boolean);
  for (const action of ["actions/cache@v4", "github/codeql-action/upload-sarif@v3", "actions/upload-artifact@v4"])
    assert.ok(uses.includes(action), `${action} in ${uses}`);
  const run = job.steps.map((s) => s.run?.value ?? s.run?.toString?.() ?? "").join("\n");
  assert.match(run, /apt-get install .*\/tmp\/sohound\.deb/);
});

test("the GitHub Actions sharding recipe in docs/sharding.md is a workflow GitHub accepts", async () => {
  const doc = readFileSync(join(env.source, "docs", "sharding.md"), "utf8");
  const recipe = doc.match(/\*\*GitHub Actions\*\*[\s\S]*?```yaml\n([\s\S]*?)```/);
  assert.ok(recipe, "no GitHub Actions recipe in docs/sharding.md");
  const { errors, workflow } = await githubErrors(recipe[1]);
  assert.deepEqual(errors, []);
  const ids = workflow.jobs.map((j) => j.id.value);
  assert.deepEqual(ids.sort(), ["merge", "shard"]);
  const merge = workflow.jobs.find((j) => j.id.value === "merge");
  assert.deepEqual(merge.needs.map((n) => n.value), ["shard"]);
  const shard = workflow.jobs.find((j) => j.id.value === "shard");
  const run = shard.steps.map((s) => s.run?.value ?? s.run?.toString?.() ?? "").join("\n");
  // The parser turns `${{ matrix.index }}` inside a script into format('... {0} ...', matrix.index).
  assert.match(run, /--shard \{0\}\/4 [\s\S]*matrix\.index/);
});

test("GitHub's workflow parser rejects what no engine accepts (the check can fail)", async () => {
  // The shape the template once had: ${{ }} inside a YAML flow mapping; and a misspelt step key.
  const flow = await githubErrors("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - with: {key: ${{ github.sha }}}\n        uses: x/y@v1\n");
  assert.ok(flow.errors.length > 0);
  const key = await githubErrors("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - runz: echo\n");
  assert.ok(key.errors.some((e) => /Unexpected value 'runz'/.test(e)), key.errors.join("\n"));
});

// A git project holding the GitLab template (without its `image:`, so gitlab-ci-local uses the
// shell executor) and two specs, one clean and one with a leak.
function gitlabProject(name, pipeline, tools = "[memcheck]") {
  const dir = join(env.out, "templates", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "sohound"), { recursive: true });
  writeFileSync(join(dir, ".gitlab-ci.yml"), pipeline);
  const spec = (leak) => `suite: mylib\nlibrary:\n  pkg-config: zlib\nincludes: [zlib.h, stdlib.h]\ntools: ${tools}\nfeatures:\n` +
    `  - name: version\n    code: |\n      (void)zlibVersion();\n` +
    `  - name: checksum\n    code: |\n      if (crc32(0, (const unsigned char *)"abc", 3) != 0x352441c2UL) abort();\n` +
    (leak ? `  - name: forgets_a_block\n    code: |\n      void *volatile p = malloc(24);\n      p = NULL;\n` : "");
  writeFileSync(join(dir, "sohound", "mylib.yaml"), spec(false));
  writeFileSync(join(dir, "sohound", "leaky.yaml"), spec(true));
  const git = (...args) => execFileSync("git", ["-c", "user.email=ci@example.org", "-c", "user.name=ci", ...args], { cwd: dir });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-q", "-m", "project");
  return dir;
}

function gitlab(dir, args) {
  return spawnSync(gitlabCiLocal, args, { cwd: dir, encoding: "utf8", timeout: 600000 });
}

test("gitlab-ci-local validates the GitLab template against GitLab's schema", () => {
  const template = readFileSync(join(templates, "gitlab-ci.yml"), "utf8");
  const dir = gitlabProject("list", template);
  const list = gitlab(dir, ["--list"]);
  assert.equal(list.status, 0, list.stdout + list.stderr);
  assert.match(list.stdout + list.stderr, /json schema validated/);
  assert.match(list.stdout, /^sohound: \[1\/2\]\s+test\s+on_success/m);
  assert.match(list.stdout, /^sohound: \[2\/2\]\s+test\s+on_success/m);
  assert.match(list.stdout, /^sohound-merge\s+test\s+always\s+false\s+\[sohound\]/m);
  const preview = gitlab(dir, ["--preview"]);
  assert.equal(preview.status, 0, preview.stdout + preview.stderr);
  assert.match(preview.stdout, /junit: sohound-out\/report\/junit\.xml/);
  // A pipeline GitLab would refuse is refused here too.
  const broken = gitlabProject("broken", template.replace("  artifacts:\n", "  artifacts:\n    expire_in: [1, 2]\n"));
  const refused = gitlab(broken, ["--list"]);
  assert.notEqual(refused.status, 0, refused.stdout);
});

// What must be equal between the merged shards and one unsharded run.
function comparable(results) {
  return {
    jobs: results.jobs.map((j) => [j.suite, j.feature, j.tool, j.outcome, j.passed,
      j.findings.map((f) => `${f.fingerprint} ${f.kind} ${f.status}`).sort()]),
    bugs: results.bugs.map((b) => `${b.fingerprint} ${b.status} x${b.occurrences.length}`).sort(),
    exit: results.exit_code,
  };
}

test("the GitLab template's parallel shards, merged, equal one unsharded run (gitlab-ci-local, shell executor)", () => {
  const template = readFileSync(join(templates, "gitlab-ci.yml"), "utf8").replace("  image: debian:12\n", "");
  const dir = gitlabProject("shards", template, "[memcheck, asan]");
  // This build's sohound on PATH: the template's install step is skipped (the image has Sohound).
  const options = { cwd: dir, encoding: "utf8", timeout: 600000,
                    env: { ...process.env, PATH: `${dirname(env.bin)}:${process.env.PATH}`, SOHOUND_CACHE: "0" } };
  const pipeline = () => spawnSync(gitlabCiLocal, ["--variable", "SPECS=sohound/leaky.yaml"], options);
  const unsharded = spawnSync(env.bin, ["run", "sohound/leaky.yaml", "--no-cache", "--no-progress", "--report", "json",
                                        "--out", join(dir, "unsharded")], options);
  assert.equal(unsharded.status, 1, unsharded.stdout + unsharded.stderr);
  const expected = comparable(JSON.parse(readFileSync(join(dir, "unsharded", "results.json"), "utf8")));
  assert.equal(expected.jobs.length, 6);
  for (const round of [1, 2]) {
    const run = pipeline();
    const log = run.stdout + run.stderr;
    // The shards pass (finding things is the merge's to report); the merge fails for the leak.
    assert.notEqual(run.status, 0, log);
    assert.match(log, /PASS\s+sohound: \[1\/2\]/);
    assert.match(log, /PASS\s+sohound: \[2\/2\]/);
    assert.match(log, /FAIL\s+sohound-merge/);
    assert.match(log, /sohound-merge\s+> merged 2 of 2 shards, 6 jobs/);
    assert.match(log, /leak\.definite mylib\/forgets_a_block \[memcheck\] 24 bytes/);
    const shards = [1, 2].map((k) => JSON.parse(readFileSync(join(dir, "sohound-shards", String(k), "results.json"), "utf8")));
    shards.forEach((r, k) => {
      assert.equal(r.shard.source, "gitlab");
      assert.equal(r.shard.index, k + 1);
      assert.equal(r.shard.total, 2);
      // The second pipeline is balanced by the first one's job times (the cached merged results).
      assert.equal(r.shard.balance, round === 1 ? "hash" : "costs");
    });
    const merged = JSON.parse(readFileSync(join(dir, "sohound-out", "results.json"), "utf8"));
    assert.deepEqual(comparable(merged), expected);
    assert.equal(merged.partial, false);
    assert.ok(existsSync(join(dir, "sohound-out", "report", "junit.xml")));
    assert.ok(existsSync(join(dir, "sohound-out", "report", "report.html")));
    // One trace for the pipeline: both shards' runs and the merge, under the pipeline's id.
    const traceIds = new Set(merged.trace.spans.map((s) => s.trace_id));
    assert.equal(traceIds.size, 1, [...traceIds].join(" "));
    assert.deepEqual(merged.trace.spans.filter((s) => s.name === "run").map((s) => s.attributes.shard).sort(), ["1/2", "2/2"]);
    assert.equal(merged.trace.spans.filter((s) => s.name === "merge").length, 1);
    const chrome = JSON.parse(readFileSync(join(dir, "sohound-out", "trace.json"), "utf8"));
    assert.ok(chrome.traceEvents.length > 10);
  }
});

const system = process.env.SOHOUND_SYSTEM_TESTS === "1" && process.getuid?.() === 0;
const packageDir = join(env.out, "package");
const deb = existsSync(packageDir) ? readdirSync(packageDir).find((f) => /^sohound_.*\.deb$/.test(f)) : undefined;

test("the GitLab job installs the package and fails exactly when Sohound finds something",
     { skip: !system && "installs a package with apt-get: only on a throwaway CI machine (SOHOUND_SYSTEM_TESTS=1, root)" }, () => {
  assert.ok(deb, `no sohound_*.deb in ${packageDir}`);
  after(() => spawnSync("dpkg", ["-r", "sohound"]));
  const template = readFileSync(join(templates, "gitlab-ci.yml"), "utf8");
  const dir = gitlabProject("run", template.replace("  image: debian:12\n", ""));
  const url = `SOHOUND_DEB_URL=file://${join(packageDir, deb)}`;
  // The whole pipeline, one job at a time (in GitLab each job has a container of its own; here they
  // share this machine's dpkg): the first shard job installs the package (apt-get), the rest find it.
  const clean = gitlab(dir, ["--concurrency", "1", "--variable", url]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /PASS\s+sohound-merge/);
  assert.match(clean.stdout, /2 jobs, 0 failed, 0 unexpected findings\. PASS \(exit 0\)/);
  assert.ok(existsSync(join(dir, "sohound-out", "report", "junit.xml")));
  assert.ok(existsSync(join(dir, "sohound-out", "report", "results.sarif")));
  assert.match(execFileSync("/usr/bin/sohound", ["--version"], { encoding: "utf8" }), /0\.1\.0/);
  const leaky = gitlab(dir, ["--concurrency", "1", "--variable", url, "--variable", "SPECS=sohound/leaky.yaml"]);
  assert.notEqual(leaky.status, 0, leaky.stdout);
  assert.match(leaky.stdout, /FAIL\s+sohound-merge/);
  assert.match(leaky.stdout, /leak\.definite mylib\/forgets_a_block \[memcheck\] 24 bytes/);
});
