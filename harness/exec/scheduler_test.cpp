#include "harness/exec/scheduler.hpp"
#include "harness/testing/fake_process_launcher.hpp"

#include <gtest/gtest.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

namespace harness::exec {
namespace {

namespace asio = boost::asio;
using testing::FakeProcessLauncher;
using testing::ManualTimers;

Command command(std::string name) {
  Command c;
  c.argv = {std::move(name)};
  return c;
}

struct SchedulerTest : ::testing::Test {
  asio::io_context io;
  FakeProcessLauncher launcher{io.get_executor()};
  ManualTimers timers{io.get_executor()};
  std::vector<RunResult> results;

  void spawn_runs(Scheduler& scheduler, int n, std::chrono::milliseconds timeout) {
    results.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i)
      scheduler.spawn([&, i, timeout]() -> asio::awaitable<void> {
        results[static_cast<std::size_t>(i)] = co_await scheduler.run(command("job" + std::to_string(i)), timeout);
      });
  }
  void settle() {
    io.poll();
    io.restart();
  }
};

TEST_F(SchedulerTest, NeverRunsMoreThanTheLimit) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 2);
  spawn_runs(scheduler, 5, std::chrono::milliseconds(0));
  settle();
  EXPECT_EQ(launcher.started(), 2u);
  EXPECT_EQ(launcher.running(), 2u);

  launcher.finish(0);
  settle();
  EXPECT_EQ(launcher.started(), 3u);
  EXPECT_EQ(launcher.running(), 2u);

  launcher.finish(1);
  launcher.finish(2);
  settle();
  EXPECT_EQ(launcher.started(), 5u);
  launcher.finish(3);
  launcher.finish(4, {true, "", 7, 0, {}, {}});
  settle();
  EXPECT_EQ(launcher.running(), 0u);
  EXPECT_EQ(scheduler.peak_running(), 2);
  EXPECT_EQ(results[4].process.exit_code, 7);
  EXPECT_FALSE(results[4].timed_out);
}

TEST_F(SchedulerTest, TimeoutStopsTheProcessAndFreesTheSlot) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 1);
  spawn_runs(scheduler, 2, std::chrono::milliseconds(1500));
  settle();
  ASSERT_EQ(launcher.started(), 1u);
  ASSERT_EQ(timers.requested().size(), 1u);
  EXPECT_EQ(timers.requested()[0], std::chrono::milliseconds(1500));

  timers.fire_all();
  settle();
  EXPECT_TRUE(launcher.run_at(0).cancelled) << "the timeout must reach the launcher, which kills the group";
  EXPECT_TRUE(results[0].timed_out);
  EXPECT_EQ(launcher.started(), 2u) << "the timed-out job's slot goes to the next job";

  launcher.finish(1);
  settle();
  EXPECT_FALSE(results[1].timed_out);
  EXPECT_FALSE(launcher.run_at(1).cancelled);
}

TEST_F(SchedulerTest, FinishingFirstCancelsTheTimer) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 1);
  spawn_runs(scheduler, 1, std::chrono::milliseconds(1000));
  settle();
  launcher.finish(0);
  settle();
  EXPECT_FALSE(results[0].timed_out);
  timers.fire_all();  // a late timer must not touch a finished job
  settle();
  EXPECT_FALSE(launcher.run_at(0).cancelled);
}

TEST_F(SchedulerTest, CancelAllStopsRunningAndQueuedJobsAndJoinCompletes) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 2);
  int finished_normally = 0;
  for (int i = 0; i < 4; ++i)
    scheduler.spawn([&]() -> asio::awaitable<void> {
      co_await scheduler.run(command("job"), std::chrono::milliseconds(0));
      ++finished_normally;
    });
  bool joined = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await scheduler.join();
        joined = true;
      },
      [](std::exception_ptr) {});
  settle();
  ASSERT_EQ(launcher.running(), 2u);
  EXPECT_FALSE(joined);

  scheduler.cancel_all();
  settle();
  EXPECT_TRUE(launcher.run_at(0).cancelled);
  EXPECT_TRUE(launcher.run_at(1).cancelled);
  EXPECT_EQ(launcher.started(), 2u) << "queued jobs must not start after Ctrl-C";
  EXPECT_EQ(finished_normally, 0);
  EXPECT_TRUE(joined);
  EXPECT_EQ(scheduler.running(), 0);
}

TEST_F(SchedulerTest, SlotsGoToLowerPriorityFirstThenInArrivalOrder) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 1);
  std::vector<std::string> order;
  auto spawn = [&](std::string name, int priority) {
    scheduler.spawn([&, name, priority]() -> asio::awaitable<void> {
      co_await scheduler.run(command(name), std::chrono::milliseconds(0), priority);
    });
  };
  spawn("first", 5);  // takes the only slot
  settle();
  spawn("late-low", 9);
  spawn("urgent", 1);
  spawn("urgent-too", 1);
  settle();
  for (std::size_t i = 0; i < 4; ++i) {
    ASSERT_EQ(launcher.started(), i + 1);
    order.push_back(launcher.run_at(i).command.argv[0]);
    launcher.finish(i);
    settle();
  }
  EXPECT_EQ(order, (std::vector<std::string>{"first", "urgent", "urgent-too", "late-low"}));
}

// CTest's RUN_SERIAL takes every slot, PROCESSORS n takes n: nothing else runs beside a serial
// command, and it waits, first in line, for the slots to empty.
TEST_F(SchedulerTest, ACommandTakingEverySlotRunsAlone) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 2);
  auto spawn = [&](std::string name, int slots) {
    scheduler.spawn([&, name, slots]() -> asio::awaitable<void> {
      co_await scheduler.run(command(name), std::chrono::milliseconds(0), 0, slots);
    });
  };
  spawn("one", 1);
  spawn("serial", 2);
  spawn("after", 1);
  settle();
  ASSERT_EQ(launcher.started(), 1u) << "the serial command waits for the running one, and the next waits behind it";
  launcher.finish(0);
  settle();
  ASSERT_EQ(launcher.started(), 2u);
  EXPECT_EQ(launcher.run_at(1).command.argv[0], "serial");
  EXPECT_EQ(launcher.running(), 1u);
  launcher.finish(1);
  settle();
  ASSERT_EQ(launcher.started(), 3u);
  EXPECT_EQ(launcher.run_at(2).command.argv[0], "after");
  launcher.finish(2);
  settle();
  EXPECT_EQ(scheduler.peak_running(), 1);
}

TEST_F(SchedulerTest, JobsSpawnedAfterCancelAreCancelledAtOnce) {
  Scheduler scheduler(io.get_executor(), launcher, timers, 2);
  scheduler.cancel_all();
  bool ran = false;
  scheduler.spawn([&]() -> asio::awaitable<void> {
    co_await scheduler.run(command("late"), std::chrono::milliseconds(0));
    ran = true;
  });
  settle();
  EXPECT_FALSE(ran);
  EXPECT_EQ(launcher.started(), 0u);
}

}  // namespace
}  // namespace harness::exec
