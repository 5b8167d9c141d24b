#include "rules/evaluation_slots.h"

#include <algorithm>
#include <chrono>
#include <thread>
#include <vector>

#include "gtest/gtest.h"

namespace fraisier::rules {
namespace {

// Eight threads each hold a slot until a third holder shows up or a short
// bound passes: with two slots no third holder ever appears, so the most
// seen together is exactly two, and every thread still gets its turn.
TEST(EvaluationSlotsTest, AtMostCountHoldersAtOnce) {
  EvaluationSlots slots(2);
  std::mutex mu;
  std::condition_variable cv;
  int holding = 0;
  int most = 0;
  int done = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&] {
      EvaluationSlots::Hold hold(slots);
      std::unique_lock<std::mutex> lock(mu);
      most = std::max(most, ++holding);
      cv.notify_all();
      cv.wait_for(lock, std::chrono::milliseconds(50),
                  [&] { return holding >= 3; });
      --holding;
      ++done;
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(most, 2);
  EXPECT_EQ(done, 8);
}

TEST(EvaluationSlotsTest, OneSlotSerializes) {
  EvaluationSlots slots(1);
  int inside = 0;
  int most = 0;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int k = 0; k < 1000; ++k) {
        EvaluationSlots::Hold hold(slots);
        {
          std::lock_guard<std::mutex> lock(mu);
          most = std::max(most, ++inside);
        }
        std::this_thread::yield();
        std::lock_guard<std::mutex> lock(mu);
        --inside;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(most, 1);
}

}  // namespace
}  // namespace fraisier::rules
