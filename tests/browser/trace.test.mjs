// Traces (docs/tracing.md): the merged trace of two shards (fixture e2e.shards.run) checked against
// the trace-event format's schema (Chrome/Perfetto) and OTLP/JSON's, a broken trace refused by the
// same check, and the HTML timeline of the merged shards drawn from the same spans in Chromium.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";
import { env, launch, open } from "./support.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const Ajv = createRequire(import.meta.url)("ajv");
const ajv = new Ajv({ allErrors: true, strict: false });
const chromeSchema = ajv.compile(JSON.parse(readFileSync(join(here, "trace-event.schema.json"), "utf8")));
const otlpSchema = ajv.compile(JSON.parse(readFileSync(join(here, "otlp-traces.schema.json"), "utf8")));
const shards = join(env.out, "shards");
const read = (path) => JSON.parse(readFileSync(path, "utf8"));

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test("the merged trace is valid trace-event JSON and valid OTLP/JSON", () => {
  const chrome = read(join(shards, "m2.trace.json"));
  assert.ok(chromeSchema(chrome), ajv.errorsText(chromeSchema.errors));
  assert.ok(chrome.traceEvents.filter((e) => e.ph === "X").length > 50);
  const otlp = read(join(shards, "m2.otlp.json"));
  assert.ok(otlpSchema(otlp), ajv.errorsText(otlpSchema.errors));
  // The same spans in both.
  const ids = (list) => list.sort().join(",");
  assert.equal(ids(chrome.traceEvents.filter((e) => e.ph === "X").map((e) => e.args.span_id)),
               ids(otlp.resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.spanId)))));
});

test("the schema check refuses a broken trace (it can fail)", () => {
  const chrome = read(join(shards, "m2.trace.json"));
  const event = chrome.traceEvents.find((e) => e.ph === "X");
  delete event.dur;
  assert.equal(chromeSchema(chrome), false);
  const otlp = read(join(shards, "m2.otlp.json"));
  otlp.resourceSpans[0].scopeSpans[0].spans[0].traceId = "not hex";
  assert.equal(otlpSchema(otlp), false);
});

test("the HTML timeline of merged shards draws every span, one block per shard and the merge", async () => {
  const dir = join(shards, "m2-report");
  rmSync(dir, { recursive: true, force: true });
  execFileSync(env.bin, ["report", join(shards, "m2.json"), "--out", dir, "--report", "html"]);
  const results = read(join(shards, "m2.json"));
  const { page, problems } = await open(browser, join(dir, "report.html"));
  const rects = page.locator("#timeline rect[data-span]");
  assert.equal(await rects.count(), results.trace.spans.length);
  for (const name of ["tool process", "compile", "judge", "merge"])
    assert.equal(await page.locator(`#timeline rect[data-span="${name}"]`).count(),
                 results.trace.spans.filter((s) => s.name === name).length, name);
  const labels = await page.locator("#timeline text").allTextContents();
  for (const label of ["run shard 1/2", "run shard 2/2", "merge"])
    assert.ok(labels.some((l) => l.startsWith(label)), `${label} in ${labels.join(" | ")}`);
  // A span's tooltip names what it did.
  const tip = await page.locator('#timeline rect[data-span="tool process"] title').first().textContent();
  assert.match(tip, /tool process [\d.]+–[\d.]+ s · .*tool=(memcheck|helgrind|drd|asan|tsan|ubsan)/);
  assert.deepEqual(problems, []);
});
