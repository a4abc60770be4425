#include "reports/report_options.hpp"

#include <filesystem>

namespace reports {

std::string relative_to(const std::string& path, const std::string& root) {
  if (root.empty() || path.empty() || path.front() != '/') return path;
  const auto rel = std::filesystem::path(path).lexically_relative(root);
  if (rel.empty() || rel.native().rfind("..", 0) == 0) return path;
  return rel.string();
}

bool regular_file_exists(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

}  // namespace reports
