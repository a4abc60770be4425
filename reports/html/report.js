"use strict";
// Sohound's HTML report. Everything on this page comes from the JSON block #sohound-data; every
// string from it is inserted with textContent (never innerHTML), so no symbol, path or source line
// can become markup or script.
(function () {
  const data = JSON.parse(document.getElementById("sohound-data").textContent);
  const jobs = data.jobs, bugs = data.bugs;
  // Stacks are indices into one table of distinct frames (html_report.cpp, FrameTable).
  const framesOf = (ids) => ids.map((i) => data.frames[i]);
  const PAGE = 200;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c.nodeType ? c : document.createTextNode(String(c)));
    return e;
  }
  const svgNS = "http://www.w3.org/2000/svg";
  function svg(tag, attrs) {
    const e = document.createElementNS(svgNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
    return e;
  }
  function count(map, key) { map.set(key, (map.get(key) || 0) + 1); }
  const jobName = (j) => j.suite + "/" + j.feature;
  const basename = (p) => (p || "").split("/").pop();
  const RUNTIME = /^(__interceptor_|___interceptor_|__asan_|__lsan_|__tsan_|__ubsan_|__sanitizer_|operator new|operator delete|__libc_start|pthread_|malloc$|calloc$|realloc$|free$|start_thread$|clone3?$|_start$|sohound_)/;
  // A frame Sohound put back (results.json "restored"): TSan records none for a feature function that
  // calls uninstrumented code directly.
  const RESTORED = "restored by Sohound: TSan recorded no frame for this feature function, so this line is where the feature's code starts, not the call inside it";

  // ---- header and summary ----
  const app = document.getElementById("app");
  const meta = data.meta;
  const verdictClass = meta.exit === 0 ? "pass" : meta.exit === 3 ? "infra" : "fail";
  const verdictText = { 0: "PASS", 1: "FAIL", 2: "BAD INPUT", 3: "INFRASTRUCTURE", 130: "INTERRUPTED" }[meta.exit] || "EXIT " + meta.exit;
  app.append(el("header", {},
    el("h1", { text: "Sohound report" }),
    el("span", { class: "verdict " + verdictClass, id: "verdict", text: verdictText }),
    el("span", { text: (meta.specs || []).join(", ") }),
    el("span", { text: "started " + meta.started + " · " + meta.duration.toFixed(1) + " s · sohound " + meta.version })));
  const main = el("main");
  app.append(main);
  if (meta.partial)
    main.append(el("section", { id: "partial", class: "partial" }, el("h2", { text: "Partial results" }),
      el("p", { text: "These results were merged with --allow-partial: they are not the whole run." }),
      el("ul", {}, ...meta.partial_problems.map((p) => el("li", { text: p })))));
  if (meta.sandbox)
    main.append(el("p", { id: "sandbox", class: "meta", text: "The code under test ran in a sandbox (" + meta.sandbox +
      "): read-only but for its job folder, no network, neither the output folder nor the result cache in sight." }));
  else if (meta.sandbox_reason)
    main.append(el("p", { id: "sandbox", class: "meta", text: "The code under test ran without a sandbox: " + meta.sandbox_reason + "." }));
  if (meta.shard)
    main.append(el("p", { id: "shard", class: "meta", text: "Shard " + meta.shard + ": one part of a run; sohound merge joins the shards." }));

  const outcomes = new Map(), kinds = new Map(), tools = new Map(), statuses = new Map();
  for (const j of jobs) count(outcomes, j.outcome);
  for (const b of bugs) {
    count(kinds, b.kind);
    count(statuses, b.status);
    const seen = new Set(b.occ.map((o) => jobs[o[0]].tool));
    for (const t of seen) count(tools, t);
  }
  function card(title, map, id) {
    const c = el("div", { class: "card", id });
    c.append(el("h3", { text: title }));
    for (const [k, v] of [...map.entries()].sort()) c.append(el("div", { class: "row" }, el("span", { text: k }), el("span", { class: "num", "data-key": k, text: v })));
    if (map.size === 0) c.append(el("div", { class: "meta", text: "none" }));
    return c;
  }
  const totals = new Map([["jobs", jobs.length], ["passed", meta.passed], ["failed", jobs.length - meta.passed], ["bugs", bugs.length]]);
  main.append(el("section", { id: "summary" }, el("h2", { text: "Summary" }),
    el("div", { class: "cards" }, card("Totals", totals, "totals"), card("Jobs by outcome", outcomes, "by-outcome"),
      card("Bugs by status", statuses, "by-status"), card("Bugs by tool", tools, "by-tool"), card("Bugs by kind", kinds, "by-kind"))));

  // ---- feature x tool matrix ----
  const toolOrder = ["memcheck", "helgrind", "drd", "asan", "tsan", "ubsan"].filter((t) => jobs.some((j) => j.tool === t));
  const features = [...new Set(jobs.map(jobName))];
  const byCell = new Map(jobs.map((j, i) => [jobName(j) + "|" + j.tool, i]));
  const matrix = el("table", { id: "matrix" });
  matrix.append(el("tr", {}, el("th", { text: "feature" }), ...toolOrder.map((t) => el("th", { text: t }))));
  // A cell's state, told by colour and by symbol (for readers who do not see the colour).
  const STATES = {
    failed: ["✖", "the job failed: it did not run to the end, its report could not be shown whole, or the program failed"],
    new: ["▲", "unexpected findings"],
    expected: ["◆", "passed with findings that are expected, suppressed, in the baseline, third-party or warnings, or a failure the baseline knows"],
    clean: ["✔", "passed, nothing found"],
    notrun: ["–", "not run"],
  };
  function cellState(j) {
    if (!j || j.outcome === "skipped" || j.outcome === "cancelled") return "notrun";
    if (j.outcome !== "ok") return j.baselined ? "expected" : "failed";
    if (j.failing > 0 || !j.passed) return "new";
    return j.findings > 0 ? "expected" : "clean";
  }
  // What a job's findings that do not fail it are, in words: "2 suppressed, 1 in baseline".
  const COUNT_WORDS = { expected: "expected", suppressed: "suppressed", baseline: "in baseline", third_party: "third-party",
    warning: "warning", "follow-on": "follow-on" };
  function countWords(j) {
    const parts = Object.entries(j.counts || {}).filter(([, n]) => n > 0)
      .map(([status, n]) => n + " " + (COUNT_WORDS[status] || status) + (status === "warning" && n > 1 ? "s" : ""));
    return parts.length ? parts.join(", ") : j.findings + " expected";
  }
  function cellText(j, state) {
    if (state === "notrun") return j ? j.outcome.replace("skipped", "not run") : "not run";
    if (state === "failed") return j.outcome.replace("_", " ");
    if (state === "new") return j.failing + " new";
    if (state === "expected") return j.baselined ? j.outcome.replace("_", " ") + ", in baseline" : countWords(j);
    return "clean";
  }
  // A job's verdict and what it is, as its row says it: never "FAIL ... ok".
  function jobVerdict(j) {
    if (j.outcome === "skipped" || j.outcome === "cancelled") return ["skip", j.outcome === "skipped" ? "SKIP" : "CANCELLED"];
    return j.passed ? ["ok", "PASS"] : ["bad", "FAIL"];
  }
  function jobDetail(j) {
    let what = j.outcome.replace(/_/g, " ");
    if (j.outcome === "ok") what = j.failing > 0 ? j.failing + " new finding" + (j.failing === 1 ? "" : "s") : j.findings ? "passed, " + countWords(j) : "clean";
    return what + (j.message ? ": " + j.message : "");
  }
  // Rows with a failing cell first; when many rows pass everywhere, they are folded under one line.
  const rowFails = (f) => toolOrder.some((t) => { const i = byCell.get(f + "|" + t); return i !== undefined && ["failed", "new"].includes(cellState(jobs[i])); });
  const failingRows = features.filter(rowFails), passingRows = features.filter((f) => !rowFails(f));
  const FOLD = 25;
  const foldRows = failingRows.length > 0 && passingRows.length > FOLD;
  for (const f of [...failingRows, ...passingRows]) {
    const row = el("tr", { class: foldRows && !failingRows.includes(f) ? "folded" : "" }, el("td", { text: f }));
    for (const t of toolOrder) {
      const i = byCell.get(f + "|" + t);
      const j = i === undefined ? undefined : jobs[i];
      const state = cellState(j);
      const [symbol, meaning] = STATES[state];
      const content = el("span", { class: "state" }, el("span", { class: "symbol", "aria-hidden": "true", text: symbol }), " ", cellText(j, state));
      if (!j) { row.append(el("td", { class: "cell notrun", "data-state": state, title: meaning }, content)); continue; }
      row.append(el("td", { class: "cell " + state, "data-state": state, title: meaning + (j.message ? ": " + j.message : ""),
        onclick: () => { filters.feature.value = f; filters.tool.value = t; applyFilters(); document.getElementById("bugs").scrollIntoView(); } },
        el("a", { href: "#job-" + i, onclick: (e) => e.stopPropagation() }, content)));
    }
    matrix.append(row);
  }
  const unfold = el("button", { class: "more", id: "matrix-unfold", text: "Show the " + passingRows.length + " features that failed nothing" });
  unfold.hidden = !foldRows;
  unfold.addEventListener("click", () => { for (const r of matrix.querySelectorAll("tr.folded")) r.classList.remove("folded"); unfold.hidden = true; });
  const key = el("div", { class: "legend matrix-key", id: "matrix-key" },
    ...Object.entries(STATES).map(([state, [symbol, meaning]]) => el("span", { class: "cell " + state }, symbol + " " + meaning)));
  const matrixSection = el("section", { id: "features" }, el("h2", { text: "Features × tools" }), key, matrix, unfold);

  // ---- what failed, first: the failing jobs, each a link to its row below ----
  const failedJobs = jobs.map((j, i) => i).filter((i) => !jobs[i].passed && jobs[i].outcome !== "cancelled");
  const newBugs = bugs.filter((b) => b.status === "new" && b.severity !== "warning").length;
  if (failedJobs.length) {
    const FIRST = 20;
    const rows = el("table", { id: "failed-jobs" }, el("tr", {}, el("th", { text: "job" }), el("th", { text: "tool" }), el("th", { text: "what" })));
    for (const i of failedJobs.slice(0, FIRST))
      rows.append(el("tr", {}, el("td", {}, el("a", { href: "#job-" + i, text: jobName(jobs[i]) })), el("td", { text: jobs[i].tool }),
        el("td", { class: "meta", text: jobDetail(jobs[i]) })));
    main.append(el("section", { id: "failed" }, el("h2", { text: "What failed: " + failedJobs.length + " job" + (failedJobs.length === 1 ? "" : "s") +
        (newBugs ? ", " + newBugs + " new bug" + (newBugs === 1 ? "" : "s") : "") }), rows,
      failedJobs.length > FIRST ? el("p", { class: "meta" }, el("a", { href: "#jobs", text: "and " + (failedJobs.length - FIRST) + " more in Jobs below" })) : null));
  }

  // ---- bugs with filters: new first ----
  function option(value, text) { return el("option", { value, text: text || value }); }
  const filters = {
    tool: el("select", { id: "filter-tool" }, option("", "all tools"), ...toolOrder.map((t) => option(t))),
    kind: el("select", { id: "filter-kind" }, option("", "all kinds"), ...[...kinds.keys()].sort().map((k) => option(k))),
    status: el("select", { id: "filter-status" }, option("", "all statuses"), ...["new", "expected", "suppressed", "baseline", "third_party"].map((s) => option(s))),
    feature: el("select", { id: "filter-feature" }, option("", "all features"), ...features.map((f) => option(f))),
    text: el("input", { id: "filter-text", type: "search", placeholder: "search messages, functions, files…" }),
  };
  const shown = el("span", { class: "meta", id: "bug-count" });
  const list = el("div", { id: "bug-list" });
  const more = el("button", { class: "more", id: "show-more", text: "Show more" });
  const bugSection = el("section", { id: "bugs" }, el("h2", { text: "Bugs (one per fingerprint)" }),
    el("div", { class: "filters" }, filters.tool, filters.kind, filters.status, filters.feature, filters.text, shown), list, more);
  main.append(bugSection);
  const STATUS_RANK = { new: 0, expected: 2, baseline: 3, suppressed: 4, third_party: 5 };
  const rank = (b) => (STATUS_RANK[b.status] ?? 1) + (b.status === "new" && b.severity === "warning" ? 1 : 0);
  const bugOrder = bugs.map((b, i) => i).sort((a, b) => rank(bugs[a]) - rank(bugs[b]) || a - b);
  // ---- races inside code the user did not write (status third_party) ----
  const thirdParty = bugs.map((b, i) => [b, i]).filter(([b]) => b.status === "third_party");
  if (thirdParty.length) {
    const section = el("section", { id: "third-party" }, el("h2", { text: "Races inside code you did not write (" + thirdParty.length + ")" }),
      el("p", { class: "meta", text: "Every access of these races was made by a library you did not write (a prebuilt library, libc, libstdc++), on that library's own data or on an object the spec declares thread-safe. They are reported and counted, and do not fail the run (policy {third_party: error} makes them fail). What to do: report them to the library's maintainers; a build of the library under TSan decides." }));
    for (const [b] of thirdParty) {
      const features = [...new Set(b.occ.map((o) => jobName(jobs[o[0]])))].join(", ");
      const toolsSeen = [...new Set(b.occ.map((o) => jobs[o[0]].tool))].join(", ");
      section.append(el("div", { class: "entry" },
        el("a", { href: "#bug-" + b.fp, text: b.kind + " in " + (b.owner || "a library") }),
        el("span", { class: "meta", text: " · " + features + " · " + toolsSeen }),
        el("div", { class: "ownership", text: b.ownership || "" })));
    }
    main.append(section);
  }
  main.append(matrixSection);
  for (const f of Object.values(filters)) f.addEventListener(f.tagName === "INPUT" ? "input" : "change", () => applyFilters());

  const searchText = bugs.map((b) => (b.kind + " " + b.message + " " + b.fp + " " + framesOf(b.stack).map((f) => f[0] + " " + f[1]).join(" ")).toLowerCase());
  let matches = [], rendered = 0;
  function applyFilters() {
    const t = filters.tool.value, k = filters.kind.value, s = filters.status.value, f = filters.feature.value;
    const q = filters.text.value.trim().toLowerCase();
    matches = [];
    bugOrder.forEach((i) => {
      const b = bugs[i];
      if (k && b.kind !== k) return;
      if (s && b.status !== s) return;
      if (t || f) {
        const hit = b.occ.some((o) => (!t || jobs[o[0]].tool === t) && (!f || jobName(jobs[o[0]]) === f));
        if (!hit) return;
      }
      if (q && !searchText[i].includes(q)) return;
      matches.push(i);
    });
    list.replaceChildren();
    rendered = 0;
    renderMore();
  }
  function renderMore() {
    const end = Math.min(matches.length, rendered + PAGE);
    const frag = document.createDocumentFragment();
    for (; rendered < end; ++rendered) frag.append(bugSummary(matches[rendered]));
    list.append(frag);
    shown.textContent = matches.length + " of " + bugs.length + " bugs";
    more.hidden = rendered >= matches.length;
  }
  more.addEventListener("click", renderMore);

  function statusBadge(status, severity) {
    const b = el("span", { class: "badge " + status, text: status });
    return severity === "warning" && status === "new" ? el("span", {}, b, " ", el("span", { class: "badge warning", text: "warning" })) : b;
  }
  function bugSummary(i) {
    const b = bugs[i];
    const toolsSeen = [...new Set(b.occ.map((o) => jobs[o[0]].tool))].join(", ");
    const featuresSeen = [...new Set(b.occ.map((o) => jobName(jobs[o[0]])))];
    const inFeatures = featuresSeen[0] + (featuresSeen.length > 1 ? " and " + (featuresSeen.length - 1) + " more" : "");
    // The row leads with where to look: the top frame in the user's code and its file:line.
    const where = b.top ? el("span", { class: "where", title: b.top[3] & 1 ? RESTORED : b.top[1] },
      el("span", { class: "fn", text: b.top[0] || "???" }), " ", el("span", { class: "loc", text: basename(b.top[1]) + (b.top[2] ? ":" + b.top[2] : "") }),
      ...(b.top[3] & 1 ? [" ", el("span", { class: "restored", text: "(feature start)" })] : []))
      : el("span", { class: "where none", text: "no source frame" });
    const d = el("details", { class: "bug", id: "bug-" + b.fp, "data-index": i },
      el("summary", {}, statusBadge(b.status, b.severity), where, el("span", { class: "kind", text: b.kind }),
        ...(b.title ? [el("span", { class: "title", text: b.title })] : []), el("span", { class: "msg", text: b.message }),
        el("span", { class: "meta feature", text: "in " + inFeatures }),
        el("span", { class: "meta", text: b.occ.length + " occurrence" + (b.occ.length === 1 ? "" : "s") + " · " + toolsSeen })));
    d.addEventListener("toggle", () => { if (d.open && !d.dataset.filled) { d.dataset.filled = "1"; d.append(bugBody(b)); } });
    return d;
  }
  // Sohound's driver runtime (sohound_* frames) and what lies below it (thread start, main) are
  // folded under one line: the user's frames first, the harness one click away.
  function frameList(frames) {
    const cut = frames.findIndex((f, i) => i > 0 && /^sohound_/.test(f[0] || ""));
    if (cut <= 0) return frameRows(frames);
    const box = frameRows(frames.slice(0, cut));
    const rest = frames.length - cut;
    box.append(el("details", { class: "harness-frames" },
      el("summary", { text: rest + " frame" + (rest === 1 ? "" : "s") + " of Sohound's driver runtime and thread start" }),
      frameRows(frames.slice(cut))));
    return box;
  }
  // A run of an event loop's scheduler frames (flag 2: io_context::run, uv_run...) between the
  // user's frames is one line with its count, opened on a click.
  function frameRows(frames) {
    const box = el("div", { class: "stack" });
    for (let i = 0; i < frames.length;) {
      let end = i;
      while (end < frames.length && frames[end][5] & 2) ++end;
      if (end - i >= 2) {
        box.append(el("details", { class: "scheduler-frames" },
          el("summary", { text: (end - i) + " frames of the event loop's scheduler: " + (frames[i][0] || "???") + " …" }),
          frameRowsPlain(frames.slice(i, end))));
        i = end;
      } else {
        box.append(...frameRowsPlain([frames[i]]).childNodes);
        ++i;
      }
    }
    return box;
  }
  function frameRowsPlain(frames) {
    const box = el("div", { class: "stack" });
    for (const [fn, file, line, object, snip, flags] of frames) {
      const restored = flags & 1;
      const loc = file ? basename(file) + (line ? ":" + line : "") : basename(object) || "?";
      box.append(el("div", { class: "frame" + (RUNTIME.test(fn || "") ? " runtime" : "") + (restored ? " restored" : ""), title: restored ? RESTORED : file || object || "" },
        el("span", { class: "fn", text: fn || "???" }), " ", el("span", { class: "loc", text: loc }),
        ...(restored ? [" ", el("span", { class: "restored", text: "restored: the feature's first line, not the call" })] : [])));
      if (snip && data.snippets[snip]) {
        const s = data.snippets[snip];
        const pre = el("pre", { class: "snippet" });
        s.lines.forEach((text, k) => {
          const n = s.start + k;
          const line_el = el("span", { class: n === line ? "hl" : "", text: String(n).padStart(5) + "  " + text });
          pre.append(line_el, "\n");
        });
        box.append(pre);
      } else if (file && !RUNTIME.test(fn || "")) {
        box.append(el("div", { class: "nosrc", text: "source not available: " + file }));
      }
    }
    return box;
  }
  function bugBody(b) {
    const body = el("div", { class: "body" });
    if (b.process) body.append(el("div", { class: "meta process", text: "reported by process " + b.process }));
    if (b.ownership) body.append(el("div", { class: "ownership", text: (b.owner ? "Owner: " + b.owner + ". " : "") + b.ownership }));
    if (b.coro) body.append(el("div", { class: "coroutine", text: "Coroutine: " + b.coro }));
    body.append(el("div", { class: "meta", text: "fingerprint " + b.fp + (b.by ? " · " + b.by : "") + (b.bytes ? " · " + b.bytes + " bytes" : "") }),
      el("a", { href: "#bug-" + b.fp, class: "permalink", text: "link to this bug" }));
    const occ = el("table", { class: "occurrences" }, el("tr", {}, el("th", { text: "feature" }), el("th", { text: "tool" }), el("th", { text: "count" }), el("th", { text: "status" })));
    for (const [ji, n, status] of b.occ) {
      const j = jobs[ji];
      occ.append(el("tr", {}, el("td", {}, el("a", { href: "#job-" + ji, text: jobName(j) })), el("td", { text: j.tool }), el("td", { class: "num", text: n }), el("td", {}, statusBadge(status))));
    }
    body.append(el("h3", { text: "Occurrences" }), occ, el("h3", { text: "Stack" }), frameList(framesOf(b.stack)));
    if (b.follow.length) {
      // Findings that follow from this one (indirect leaks it owns, later errors on the same freed
      // block): listed here, not as bugs; results.json keeps each with its stacks.
      const list = el("ul", { class: "follow-ons" });
      for (const [kind, message, count] of b.follow)
        list.append(el("li", { text: kind + ": " + message + (count > 1 ? " (x" + count + ")" : "") }));
      body.append(el("h3", { text: "Follows from it" }), list);
    }
    for (const [label, ids] of b.aux) {
      body.append(el("h3", { text: label }));
      if (ids.length) body.append(frameList(framesOf(ids)));
    }
    return body;
  }

  // ---- jobs: failing first, sorted and filtered; each row opens its driver, commands, logs ----
  const jobFilters = {
    verdict: el("select", { id: "job-filter-verdict" }, option("", "all jobs"), option("FAIL", "failed"), option("PASS", "passed"), option("SKIP", "skipped")),
    tool: el("select", { id: "job-filter-tool" }, option("", "all tools"), ...toolOrder.map((t) => option(t))),
    text: el("input", { id: "job-filter-text", type: "search", placeholder: "search jobs, outcomes, messages…" }),
    sort: el("select", { id: "job-sort" }, option("verdict", "failed first"), option("name", "by name"), option("duration", "longest first")),
  };
  const jobCount = el("span", { class: "meta", id: "job-count" });
  const jobList = el("div", { id: "job-list" });
  // A job's row is made when it is first shown: most of a thousand passing rows stay folded.
  const verdicts = jobs.map((j) => jobVerdict(j)[1]);
  const jobRows = [];
  function jobRow(i) {
    if (jobRows[i]) return jobRows[i];
    const j = jobs[i];
    const [cls, label] = jobVerdict(j);
    const d = el("details", { class: "job", id: "job-" + i, "data-verdict": label },
      el("summary", {}, el("span", { class: cls, text: label }), el("span", { class: "kind", text: jobName(j) }), el("span", { text: j.tool }),
        el("span", { class: "meta", text: jobDetail(j) + " · " + j.duration.toFixed(2) + " s" })));
    d.addEventListener("toggle", () => {
      if (!d.open || d.dataset.filled) return;
      d.dataset.filled = "1";
      const body = el("div", { class: "body" });
      for (const n of j.notes) body.append(el("div", { class: "meta", text: "note: " + n }));
      for (const u of j.unmatched) body.append(el("div", { class: "meta", text: "expected but no longer found: " + u }));
      if (j.log) body.append(el("h3", { text: j.outcome === "build_failed" ? "Compiler output" : "Tool output (stderr)" }), el("pre", { class: "log", text: j.log }));
      body.append(el("h3", { text: "Reproduce: build" }), el("pre", { text: j.build || "(none)" }), el("h3", { text: "Reproduce: run" }), el("pre", { text: j.run || "(none)" }));
      if (j.driver) body.append(el("h3", { text: "Generated driver" }), el("pre", { class: "driver", text: data.drivers[j.driver - 1] }));
      d.append(body);
    });
    jobRows[i] = d;
    return d;
  }
  const jobText = jobs.map((j) => (jobName(j) + " " + j.tool + " " + jobDetail(j)).toLowerCase());
  const VERDICT_RANK = { FAIL: 0, CANCELLED: 1, SKIP: 2, PASS: 3 };
  // Many passing jobs are folded under one button until asked for (or a filter asks for them).
  const FOLD_JOBS = 50;
  let jobsUnfolded = false;
  const unfoldJobs = el("button", { class: "more", id: "jobs-unfold" });
  unfoldJobs.addEventListener("click", () => { jobsUnfolded = true; applyJobFilters(); });
  function applyJobFilters() {
    const v = jobFilters.verdict.value, t = jobFilters.tool.value, q = jobFilters.text.value.trim().toLowerCase();
    const order = jobs.map((j, i) => i);
    const by = jobFilters.sort.value;
    order.sort((a, b) => by === "name" ? jobName(jobs[a]).localeCompare(jobName(jobs[b])) || a - b
      : by === "duration" ? jobs[b].duration - jobs[a].duration || a - b
      : VERDICT_RANK[verdicts[a]] - VERDICT_RANK[verdicts[b]] || a - b);
    const chosen = order.filter((i) => (!v || verdicts[i] === v) && (!t || jobs[i].tool === t) && (!q || jobText[i].includes(q)));
    const passing = chosen.filter((i) => verdicts[i] === "PASS");
    const fold = !jobsUnfolded && !v && !q && passing.length > FOLD_JOBS && passing.length < chosen.length;
    const shownJobs = fold ? chosen.filter((i) => verdicts[i] !== "PASS") : chosen;
    jobList.replaceChildren(...shownJobs.map((i) => jobRow(i)));
    unfoldJobs.hidden = !fold;
    unfoldJobs.textContent = "Show the " + passing.length + " jobs that passed";
    jobCount.textContent = shownJobs.length + " of " + jobs.length + " jobs" + (fold ? " (" + passing.length + " passing folded)" : "");
  }
  for (const f of Object.values(jobFilters)) f.addEventListener(f.tagName === "INPUT" ? "input" : "change", applyJobFilters);
  const jobSection = el("section", { id: "jobs" }, el("h2", { text: "Jobs" }),
    el("div", { class: "filters" }, jobFilters.verdict, jobFilters.tool, jobFilters.sort, jobFilters.text, jobCount), jobList, unfoldJobs);
  applyJobFilters();

  // ---- timeline: the run's spans (results.json "trace"), one block of lanes per run or shard ----
  const trace = data.trace || { groups: [], spans: [] };
  const rowOf = new Map();  // "group/lane" -> row
  const sorted = [...new Set(trace.spans.map((s) => s[0] * 10000 + s[1]))].sort((a, b) => a - b);
  sorted.forEach((k, i) => rowOf.set(k, i));
  const end = Math.max(0.001, ...trace.spans.map((s) => s[4]));
  const W = 1000, RH = 12, L = 200;
  const chart = svg("svg", { class: "timeline", width: "100%", viewBox: "0 0 " + (W + L) + " " + (sorted.length * RH + 20), role: "img" });
  const colors = { run: "#c9c9c9", plan: "#b0b0b0", "cache lookup": "#9fd3c7", "driver build": "#a9c4ec", "library build": "#5b8fd6",
    compile: "#7aa7e0", link: "#3f6fb5", unit: "#f0cf9c", "tool process": "#e0a35a", parse: "#6cc08b", judge: "#b48ad8",
    reports: "#d9d9d9", report: "#8c8c8c", merge: "#c9c9c9" };
  let lastGroup = -1;
  sorted.forEach((k, r) => {
    const g = Math.floor(k / 10000);
    if (g === lastGroup) return;
    lastGroup = g;
    const label = svg("text", { x: 0, y: r * RH + 9 });
    label.textContent = trace.groups[g] || "run";
    chart.append(label);
  });
  for (const [g, lane, name, s, e, tip] of trace.spans) {
    const r = rowOf.get(g * 10000 + lane);
    const rect = svg("rect", { x: L + (s / end) * W, y: r * RH + 1, width: Math.max(1, ((e - s) / end) * W), height: RH - 3,
      fill: colors[name] || "#999", "data-span": name });
    const t = svg("title");
    t.textContent = name + " " + s.toFixed(3) + "–" + e.toFixed(3) + " s" + (tip ? " · " + tip : "");
    rect.append(t);
    chart.append(rect);
  }
  const axis = svg("text", { x: L, y: sorted.length * RH + 16 });
  axis.textContent = "0 s … " + end.toFixed(2) + " s";
  chart.append(axis);
  const used = new Set(trace.spans.map((s) => s[2]));
  const legend = el("div", { class: "legend" }, ...Object.entries(colors).filter(([k]) => used.has(k)).map(([k, c]) => { const i = el("i"); i.style.background = c; return el("span", {}, i, k); }));
  main.append(jobSection, el("section", { id: "timeline" }, el("h2", { text: "Timeline" }), legend, chart));

  // ---- suppressions ----
  if (data.suppressions.length) {
    const t = el("table", {}, el("tr", {}, el("th", { text: "suppression" }), el("th", { text: "source" }), el("th", { text: "matched" })));
    for (const [name, source, n] of data.suppressions) t.append(el("tr", {}, el("td", { text: name }), el("td", { text: source }), el("td", { class: "num " + (n ? "" : "skip"), text: n })));
    main.append(el("section", { id: "suppressions" }, el("h2", { text: "Suppressions" }), t));
  }

  // ---- stable links ----
  function follow() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    if (id.startsWith("bug-")) {
      const i = bugs.findIndex((b) => "bug-" + b.fp === id);
      if (i < 0) return;
      if (!document.getElementById(id)) {
        for (const f of Object.values(filters)) f.value = "";
        applyFilters();
        while (!document.getElementById(id) && rendered < matches.length) renderMore();
      }
    }
    if (id.startsWith("job-") && !document.getElementById(id)) {
      for (const f of [jobFilters.verdict, jobFilters.tool, jobFilters.text]) f.value = "";
      jobsUnfolded = true;
      applyJobFilters();
    }
    const target = document.getElementById(id);
    if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", follow);
  applyFilters();
  follow();
  document.body.dataset.ready = "1";
})();
