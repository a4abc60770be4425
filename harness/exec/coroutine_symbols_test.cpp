#include "harness/exec/coroutine_symbols.hpp"

#include "harness/util/capture.hpp"
#include "harness/util/files.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>

namespace harness::exec {
namespace {

// A library with one coroutine and one plain function, built by each compiler here: its clone
// symbols say which is the coroutine, whatever the compiler named them.
TEST(CoroutineSymbols, TheCompilersClonesNameTheLibrarysCoroutines) {
  const auto dir = std::filesystem::temp_directory_path() / ("sohound-coro-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto source = (dir / "lib.cpp").string();
  util::write_file(source, R"(#include <coroutine>
struct Task {
  struct promise_type {
    Task get_return_object() { return {}; }
    std::suspend_never initial_suspend() noexcept { return {}; }
    std::suspend_never final_suspend() noexcept { return {}; }
    void return_void() noexcept {}
    void unhandled_exception() noexcept {}
  };
};
namespace lib { Task count_to(int n) { for (int i = 0; i < n; ++i) co_await std::suspend_never{}; } }
int plain(int n) { return n + 1; }
)");
  for (const char* compiler : {"g++-12", "clang++-14"}) {
    const auto library = (dir / (std::string(compiler) + ".so")).string();
    const auto built = util::capture({compiler, "-std=c++20", "-g", "-fPIC", "-shared", source, "-o", library});
    ASSERT_TRUE(built) << compiler;
    EXPECT_EQ(coroutines_in(library), std::vector<std::string>{"lib::count_to(int)"}) << compiler;

    // A sanitizer's frame names no object: the fallback objects are searched in order.
    CoroutineIndex index;
    model::Finding leak;
    leak.kind = "leak.definite";
    leak.stack = {{"operator new(unsigned long)", "", 0, ""},
                  {"lib::count_to(int)", "/src/lib.cpp", 11, ""},
                  {"feature_x", "/src/x.yaml", 3, ""}};
    index.name(leak, {"/nonexistent/driver", library});
    ASSERT_TRUE(leak.leaked_coroutine.has_value()) << compiler;
    EXPECT_EQ(leak.leaked_coroutine->name, "lib::count_to(int)");
    model::Finding other = leak;
    other.leaked_coroutine.reset();
    other.stack[1].function = "plain(int)";
    index.name(other, {library});
    EXPECT_FALSE(other.leaked_coroutine.has_value()) << compiler;
  }
  EXPECT_TRUE(coroutines_in("/etc/hostname").empty());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace harness::exec
