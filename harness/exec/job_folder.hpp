// A tool process's folder in --out: emptied, with its driver's working folder, the suite's native
// suppression files its tool reads, and run.sh, the command that reproduces it by hand.
#pragma once

#include "harness/exec/command.hpp"
#include "harness/model/suite_spec.hpp"
#include "harness/model/tool.hpp"

#include <string>
#include <vector>

namespace harness::exec {

class OutputDir;

// Writes `commands` as a shell script at `path` (executable); returns their command lines.
std::string write_script(const std::string& path, const std::vector<Command>& commands);

// Empties `dir` (through `out`, which owns every path in it), makes its work/ folder, adds the
// suite's native suppression files for `tool` to `command` (writing those Sohound makes), and
// writes run.sh with `command` as it then is. Returns run.sh's command lines.
std::string prepare_job_folder(const OutputDir& out, const std::string& dir, const model::SuiteSpec& suite, model::Tool tool,
                               Command& command);

}  // namespace harness::exec
