// Builds for a run: pkg-config flags per suite, each build recipe's library per flavour, and each
// suite's driver per flavour (inline features compiled together in shared translation units, the
// rest one object per feature, one link; a feature with link flags of its own, or every feature
// when the shared link fails, gets a driver of its own). Each is built once,
// by the first job that needs it; the others wait (AsyncOnce). Every step's command is written
// beside its output (build.sh) so it can be rerun by hand.
#pragma once

#include "harness/exec/async_once.hpp"
#include "harness/exec/build_commands.hpp"
#include "harness/exec/command.hpp"
#include "harness/exec/pipeline_trace.hpp"
#include "harness/model/suite_spec.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace harness::exec {

class ResultCache;

class OutputDir;

// A feature's object. Features that share a translation unit share its object and compile.
struct FeatureObject {
  bool ok = true;
  std::string error;  // one line
  std::string log;
  std::string commands;  // its compile (and localize) commands
  std::string source;    // the feature's generated source
  std::string object;
  Command compile;
};

struct DriverBuild {
  bool ok = true;                                 // false: pkg-config or the library failed, nothing of this flavour runs
  std::string error, log, commands;               // the shared steps (pkg-config, library)
  std::string binary;                             // the suite's driver; "" when its link failed
  std::string link_commands;                      // main object and link
  std::map<std::size_t, FeatureObject> objects;   // by feature index
  std::map<std::size_t, std::string> own_binary;  // features linked into a driver of their own
  double start_s = 0, end_s = 0;
};

struct StepOutcome {
  bool ok = true;
  std::string error, log, commands;
  std::vector<std::string> cflags, libs;
  PackageFlags package() const { return {cflags, libs}; }
};

struct BuildOptions {
  const OutputDir* out = nullptr;
  std::string out_dir;
  std::chrono::seconds build_timeout{300};
  std::vector<std::string> compiler_launcher;  // HostFacts::compiler_launcher: in front of compiles
  ResultCache* cache = nullptr;                // where main objects are kept between runs (none: --no-cache)
};

class DriverBuilds {
 public:
  DriverBuilds(const std::vector<model::SuiteSpec>& suites, BuildOptions options, PipelineTrace trace);

  // The features each suite's driver of a flavour holds: set before the first driver() call.
  std::map<std::pair<std::size_t, model::Flavour>, std::vector<std::size_t>>& needed() { return m_needed; }

  // pkg-config --cflags --libs, once per suite (nothing to do for other library kinds).
  boost::asio::awaitable<StepOutcome> suite_flags(std::size_t suite);
  // The spec's own mistakes found while building ("spec.yaml:4:7: pkg-config package 'x' not
  // found ..."): the run's exit status is then the one for bad input, as `sohound check`'s is.
  const std::vector<std::string>& input_errors() const { return m_input_errors; }

  // The suite's driver for a flavour, with every feature needed() names; once per suite and flavour.
  boost::asio::awaitable<DriverBuild> driver(std::size_t suite, model::Flavour flavour);

 private:
  struct SpanTag;
  using Span = PipelineTrace::Span;
  Command launched(Command compile) const;
  boost::asio::awaitable<std::string> run_step(Command step, const std::string& log_base, std::string& log, int priority,
                                               const SpanTag& tag);
  boost::asio::awaitable<StepOutcome> make_flags(std::size_t suite);
  boost::asio::awaitable<StepOutcome> library(std::size_t suite, model::Flavour flavour, Span parent);
  boost::asio::awaitable<StepOutcome> make_library(std::size_t suite, model::Flavour flavour, Span parent);
  boost::asio::awaitable<FeatureObject> feature_object(std::size_t suite, std::size_t feature, model::Flavour flavour,
                                                       const std::string& dir, const PackageFlags& package, Span parent);
  boost::asio::awaitable<void> compile_object(const Command& compile, const std::string& base,
                                              const std::vector<std::string>& keep, FeatureObject& out, const SpanTag& tag);
  boost::asio::awaitable<std::vector<FeatureObject>> unit_objects(std::size_t suite, const std::vector<std::size_t>& unit,
                                                                  std::size_t number, model::Flavour flavour,
                                                                  const std::string& dir, const PackageFlags& package,
                                                                  Span parent);
  boost::asio::awaitable<DriverBuild> make_driver(std::size_t suite, model::Flavour flavour);
  boost::asio::awaitable<std::string> main_object(const Command& compile, const std::string& source_text,
                                                  const std::string& object, std::string& log, const SpanTag& tag);
  boost::asio::awaitable<void> compile_alone(std::size_t suite, model::Flavour flavour, const std::string& dir,
                                             const PackageFlags& package, const std::vector<std::size_t>& features,
                                             DriverBuild& out, Span span);
  boost::asio::awaitable<void> link_drivers(std::size_t suite, model::Flavour flavour, const std::string& dir,
                                            const PackageFlags& package, const std::vector<std::size_t>& features,
                                            std::vector<Command>& script, DriverBuild& out, Span span);

  const std::vector<model::SuiteSpec>& m_suites;
  BuildOptions m_options;
  PipelineTrace m_trace;
  std::map<std::string, std::unique_ptr<AsyncOnce<StepOutcome>>> m_steps;
  std::vector<std::string> m_input_errors;
  std::map<std::string, std::unique_ptr<AsyncOnce<DriverBuild>>> m_drivers;
  std::map<std::pair<std::size_t, model::Flavour>, std::vector<std::size_t>> m_needed;
};

}  // namespace harness::exec
