// `sohound check` beyond the spec's own text: the libraries a spec names exist on this machine.
// A pkg-config name must be one pkg-config knows (`pkg-config --list-all`), with the closest
// installed names when it is not; a prebuilt library path must be an ELF shared object.
#pragma once

#include "harness/model/suite_spec.hpp"
#include "harness/spec/diagnostics.hpp"

#include <optional>
#include <string>
#include <vector>

namespace harness::spec {

// The names `pkg-config --list-all` prints; nullopt when pkg-config cannot be run.
std::optional<std::vector<std::string>> installed_pkg_config_names();

// Up to `n` installed names closest to `name` (edit distance, then name).
std::vector<std::string> closest_names(const std::string& name, const std::vector<std::string>& installed, std::size_t n = 3);

// Adds an error at the spec's text for each library that is not there. `installed`: the
// pkg-config names (installed_pkg_config_names()).
void check_installed(const model::SuiteSpec& spec, const std::vector<std::string>& installed, Diagnostics& out);

}  // namespace harness::spec
