// A fixed number of evaluation slots: a counting semaphore that bounds how
// many rule groups evaluate at the same time, while each group keeps its own
// schedule (and thread).
#ifndef RULES_EVALUATION_SLOTS_H_
#define RULES_EVALUATION_SLOTS_H_

#include <condition_variable>
#include <mutex>

namespace fraisier::rules {

// Thread-safety: thread-safe.
// Invariant: 0 <= free_ <= the count given at construction; a Hold owns
// exactly one slot for its lifetime.
class EvaluationSlots {
 public:
  // Requires count >= 1.
  explicit EvaluationSlots(int count) : free_(count) {}
  EvaluationSlots(const EvaluationSlots&) = delete;
  EvaluationSlots& operator=(const EvaluationSlots&) = delete;

  // Takes a slot, waiting for one to be free; gives it back when destroyed.
  class Hold {
   public:
    explicit Hold(EvaluationSlots& slots) : slots_(slots) { slots_.Acquire(); }
    ~Hold() { slots_.Release(); }
    Hold(const Hold&) = delete;
    Hold& operator=(const Hold&) = delete;

   private:
    EvaluationSlots& slots_;
  };

 private:
  void Acquire() {
    std::unique_lock<std::mutex> lock(mu_);
    free_cv_.wait(lock, [this] { return free_ > 0; });
    --free_;
  }
  void Release() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ++free_;
    }
    free_cv_.notify_one();
  }

  std::mutex mu_;
  std::condition_variable free_cv_;
  int free_;  // guarded by mu_
};

}  // namespace fraisier::rules

#endif  // RULES_EVALUATION_SLOTS_H_
