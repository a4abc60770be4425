// A module hook for @actions/workflow-parser, which imports its JSON schemas without the
// `with { type: "json" }` attribute Node.js requires (the package is written for bundlers).
export async function load(url, context, next) {
  if (url.endsWith(".json")) return next(url, { ...context, importAttributes: { ...context.importAttributes, type: "json" } });
  return next(url, context);
}
