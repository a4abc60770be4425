#include "harness/model/suite_spec.hpp"

namespace harness::model {

std::string Expectation::describe() const {
  std::string out = kind;
  if (!function.empty()) out += " in " + function;
  if (!coroutine.empty()) out += " of coroutine " + coroutine;
  if (tool) out += " [" + std::string(name(*tool)) + "]";
  return out;
}

std::string_view name(Isolation isolation) { return isolation == Isolation::process ? "process" : "batch"; }

std::optional<Isolation> isolation_from_name(std::string_view name) {
  if (name == "process") return Isolation::process;
  if (name == "batch") return Isolation::batch;
  return std::nullopt;
}

std::string ProgramSpec::program_for(Flavour flavour) const {
  if (flavour == Flavour::plain) return argv.empty() ? std::string() : argv.front();
  auto it = builds.find(flavour);
  return it == builds.end() ? std::string() : it->second;
}

std::map<std::string, std::string> environment_of(const SuiteSpec& suite, const FeatureSpec& feature) {
  auto env = suite.env;
  for (const auto& [k, v] : feature.env) env.insert_or_assign(k, v);
  return env;
}

bool can_share_gtest_process(const ProgramSpec& program, Tool tool) {
  return tool == Tool::memcheck && !program.gtest_case.empty() && !gtest_class(program.gtest_case).empty();
}

bool can_share_program_process(const ProgramSpec& program, Tool tool) {
  return info(tool).family == ToolFamily::valgrind && program.gtest_case.empty() && !program.argv.empty() &&
         !program.setups.count(Flavour::plain);
}

std::string gtest_class(const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == name.size() || name.find('/') != std::string::npos ||
      name.find('.', dot + 1) != std::string::npos)
    return {};
  return name.substr(0, dot) + "_" + name.substr(dot + 1) + "_Test";
}

}  // namespace harness::model
