#include "harness/aggregate/coroutines.hpp"

#include "harness/aggregate/fingerprint.hpp"

#include <gtest/gtest.h>

namespace harness::aggregate {
namespace {

// The clones' names as each compiler and demangler prints them (captured on this machine from the
// examples in suites/examples/coroutines).
TEST(Coroutines, ClonesOfBothCompilersNameTheCoroutine) {
  const struct {
    const char* function;
    const char* coroutine;
    const char* part;
  } cases[] = {
      {"count_to(count_to(int)::_Z8count_toi.Frame*) [clone .actor]", "count_to(int)", "resumed"},
      {"count_to(count_to(int)::_Z8count_toi.Frame*) [clone .destroy]", "count_to(int)", "destroyed"},
      {"(anonymous namespace)::withdraw((anonymous namespace)::withdraw(int, std::thread*)::"
       "_ZN12_GLOBAL__N_18withdrawEiPSt6thread.Frame*) [clone .actor]",
       "(anonymous namespace)::withdraw(int, std::thread*)", "resumed"},
      {"count_to(int) [clone .resume]", "count_to(int)", "resumed"},
      {"count_to(int) [clone .destroy]", "count_to(int)", "destroyed"},
      {"count_to(int) [clone .cleanup]", "count_to(int)", "destroyed"},
      {"(anonymous namespace)::withdraw(int, std::thread*) (.resume)", "(anonymous namespace)::withdraw(int, std::thread*)",
       "resumed"},
  };
  for (const auto& c : cases) {
    const auto clone = coroutine_clone(c.function);
    ASSERT_TRUE(clone.has_value()) << c.function;
    EXPECT_EQ(clone->coroutine, c.coroutine) << c.function;
    EXPECT_EQ(clone->part, c.part) << c.function;
  }
  for (const char* other : {"count_to(int)", "parse.isra.0", "f(int) [clone .constprop.0]", "resume()", "g(int) (.part.1)"})
    EXPECT_FALSE(coroutine_clone(other).has_value()) << other;
}

TEST(Coroutines, SchedulerFramesAreTheLoopsNotTheUsersLambdas) {
  for (const char* fn :
       {"boost::asio::detail::scheduler::run(boost::system::error_code&)", "boost::asio::io_context::run()", "uv_run",
        "uv__io_poll", "uv__run_timers", "g_main_context_dispatch", "event_base_loop",
        "std::__n4861::coroutine_handle<void>::resume() const", "std::coroutine_handle<Task::promise_type>::resume() const",
        "void boost::asio::asio_handler_invoke<boost::asio::detail::executor_function>(boost::asio::detail::executor_function&, "
        "...)",
        "std::enable_if<boost_asio_execution_execute_fn::call_traits<int>::overload == 1, void>::type "
        "boost_asio_execution_execute_fn::impl::operator()<int>(int&&) const",
        "std::thread::_State_impl<std::thread::_Invoker<std::tuple<run()::{lambda()#1}> > >::_M_run()",
        "void std::__invoke_impl<void, run()::{lambda()#1}>(std::__invoke_other, run()::{lambda()#1}&&)"})
    EXPECT_TRUE(is_scheduler_frame({fn, "", 0, ""})) << fn;
  for (const char* fn :
       {"coro::on_new_thread::await_suspend(std::__n4861::coroutine_handle<void>)::{lambda()#1}::operator()() const",
        "uv_loop_init", "uv_timer_start", "boost::asio::awaitable<void, boost::asio::any_io_executor> session(int)", "main"})
    EXPECT_FALSE(is_scheduler_frame({fn, "", 0, ""})) << fn;
}

// The ramp test stands for exec/coroutine_symbols: the object's clone symbols.
std::string ramp_of(const model::Frame& frame) { return normalize_function(frame.function) == "count_to" ? "count_to(int)" : ""; }

TEST(Coroutines, ALeakAllocatedByARampIsThatCoroutinesFrame) {
  model::Finding f;
  f.kind = "leak.definite";
  f.stack = {{"operator new(unsigned long)", "", 0, "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"},
             {"count_to(int)", "/src/c.cpp", 19, "/out/driver"},
             {"start_and_forget()", "/src/c.cpp", 25, "/out/driver"},
             {"feature_x()", "/src/c.cpp", 30, "/out/driver"}};
  name_coroutines(f, ramp_of);
  ASSERT_TRUE(f.leaked_coroutine.has_value());
  EXPECT_EQ(f.leaked_coroutine->name, "count_to(int)");
  EXPECT_EQ(f.leaked_coroutine->line, 19);
  EXPECT_EQ(f.leaked_coroutine->created_by, "start_and_forget()");
  EXPECT_EQ(f.leaked_coroutine->created_line, 25);
  EXPECT_TRUE(f.coroutines.empty());
  // Idempotent (a cached finding is named again).
  const auto once = f;
  name_coroutines(f, ramp_of);
  EXPECT_EQ(f, once);

  // A block the same function allocates from inside its body (malloc in count_to's resumed clone)
  // is not its frame; a block allocated by a function that is no coroutine is not one either.
  model::Finding body = f;
  body.leaked_coroutine.reset();
  body.stack = {{"malloc", "", 0, "vgpreload_memcheck-amd64-linux.so"},
                {"count_to(count_to(int)::_Z8count_toi.Frame*) [clone .actor]", "/src/c.cpp", 20, "/out/driver"},
                {"std::__n4861::coroutine_handle<void>::resume() const", "/usr/include/c++/12/coroutine", 135, "/out/driver"},
                {"start_and_forget()", "/src/c.cpp", 26, "/out/driver"}};
  name_coroutines(body, ramp_of);
  EXPECT_FALSE(body.leaked_coroutine.has_value());
  EXPECT_EQ(body.coroutines, std::vector<std::string>{"count_to(int)"});
  EXPECT_EQ(body.stack[1].coroutine_part, "resumed");
  EXPECT_TRUE(body.stack[2].scheduler);
  EXPECT_EQ(coroutine_frame_name(body.stack[1]), "count_to(int) [coroutine, resumed]");

  model::Finding plain = f;
  plain.stack[1].function = "make_label(int)";
  name_coroutines(plain, ramp_of);
  EXPECT_FALSE(plain.leaked_coroutine.has_value());
}

// GCC's DWARF names a resumed body by its plain name ("withdraw"): what the sanitizers' symbolizer
// prints. Called by a handle's resume(), and a coroutine in the object's symbols, it is the body.
TEST(Coroutines, ABodyNamedLikeItsRampIsKnownByItsCaller) {
  model::Finding race;
  race.kind = "race.data";
  race.stack = {{"count_to", "/src/c.cpp", 20, ""}, {"std::__n4861::coroutine_handle<void>::resume() const", "", 0, ""}};
  race.aux_stacks = {{"Previous write of size 8 at 0x1 by thread T7", {{"other", "/src/c.cpp", 40, ""}}}};
  name_coroutines(race, ramp_of);
  EXPECT_EQ(race.stack[0].coroutine, "count_to(int)");
  EXPECT_EQ(race.coroutines, std::vector<std::string>{"count_to(int)"});
  // Not called by a resume: the ramp itself, running to its first suspend point.
  race.stack[1].function = "start_and_forget()";
  name_coroutines(race, ramp_of);
  EXPECT_TRUE(race.stack[0].coroutine.empty());
}

}  // namespace
}  // namespace harness::aggregate
