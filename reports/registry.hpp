// Name -> renderer, for `--report json,junit,sarif,html`: adding a format is one row.
#pragma once

#include "harness/aggregate/bugs.hpp"
#include "harness/model/run_summary.hpp"
#include "harness/util/result.hpp"
#include "reports/report_options.hpp"

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace reports {

struct Renderer {
  std::string_view name;       // --report spelling
  std::string_view file_name;  // written into the output folder
  std::function<void(const harness::model::RunSummary&, const std::vector<harness::aggregate::Bug>&, std::ostream&,
                     const ReportOptions&)>
      render;
};

const std::vector<Renderer>& renderers();
std::vector<std::string_view> renderer_names();

// Checks a --report list; an unknown name is an error with a did-you-mean.
harness::util::Result<std::vector<const Renderer*>> select_renderers(const std::vector<std::string>& names);

// Writes each selected report into `dir`; returns the paths written. `bugs`: collect_bugs(summary),
// built once for every report of the run.
harness::util::Result<std::vector<std::string>> write_reports(const harness::model::RunSummary& summary,
                                                              const std::vector<harness::aggregate::Bug>& bugs,
                                                              const std::vector<const Renderer*>& selected,
                                                              const std::string& dir, const ReportOptions& options);

}  // namespace reports
