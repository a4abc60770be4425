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

test("GitHub's workflow parser rejects what no engine accepts (the check can fail)", async () => {
  // The shape the template once had: ${{ }} inside a YAML flow mapping; and a misspelt step key.
  const flow = await githubErrors("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - with: {key: ${{ github.sha }}}\n        uses: x/y@v1\n");
  assert.ok(flow.errors.length > 0);
  const key = await githubErrors("on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - runz: echo\n");
  assert.ok(key.errors.some((e) => /Unexpected value 'runz'/.test(e)), key.errors.join("\n"));
});

// A git project holding the GitLab template (without its `image:`, so gitlab-ci-local uses the
// shell executor) and two specs, one clean and one with a leak.
function gitlabProject(name, pipeline) {
  const dir = join(env.out, "templates", name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, "sohound"), { recursive: true });
  writeFileSync(join(dir, ".gitlab-ci.yml"), pipeline);
  const spec = (leak) => `suite: mylib\nlibrary:\n  pkg-config: zlib\nincludes: [zlib.h, stdlib.h]\ntools: [memcheck]\nfeatures:\n` +
    `  - name: version\n    code: |\n      (void)zlibVersion();\n` +
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
  assert.match(list.stdout, /^sohound\s+test\s+on_success/m);
  const preview = gitlab(dir, ["--preview"]);
  assert.equal(preview.status, 0, preview.stdout + preview.stderr);
  assert.match(preview.stdout, /junit: sohound-out\/junit\.xml/);
  // A pipeline GitLab would refuse is refused here too.
  const broken = gitlabProject("broken", template.replace("  artifacts:\n", "  artifacts:\n    expire_in: [1, 2]\n"));
  const refused = gitlab(broken, ["--list"]);
  assert.notEqual(refused.status, 0, refused.stdout);
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
  const clean = gitlab(dir, ["sohound", "--variable", url]);
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
  assert.match(clean.stdout, /PASS\s+sohound/);
  assert.match(clean.stdout, /1 jobs, 0 failed, 0 unexpected findings\. PASS \(exit 0\)/);
  assert.ok(existsSync(join(dir, "sohound-out", "junit.xml")));
  assert.ok(existsSync(join(dir, "sohound-out", "results.sarif")));
  assert.match(execFileSync("/usr/bin/sohound", ["--version"], { encoding: "utf8" }), /0\.1\.0/);
  const leaky = gitlab(dir, ["sohound", "--variable", url, "--variable", "SPECS=sohound/leaky.yaml"]);
  assert.notEqual(leaky.status, 0, leaky.stdout);
  assert.match(leaky.stdout, /FAIL\s+sohound/);
  assert.match(leaky.stdout, /leak\.definite mylib\/forgets_a_block \[memcheck\] 24 bytes/);
});
