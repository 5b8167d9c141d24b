// The HTTP frontend's handler threads: requests leave the io threads for
// these, so a handler that waits (a WAL fsync, a long query) never stalls
// another connection's I/O.
#ifndef ENGINE_SERVER_HTTP_HANDLER_POOL_H_
#define ENGINE_SERVER_HTTP_HANDLER_POOL_H_

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "engine/base/logging.h"

namespace fraisier::server::internal {

// The handler threads. A task goes to the thread that went idle last (so
// the same few threads, with warm caches and malloc arenas, do the work at
// low load), or waits in a FIFO queue while every thread is busy.
// Thread-safe.
class HandlerPool {
 public:
  // Starts `threads` threads; false (and no thread running) if the system
  // refused one.
  bool Start(int threads) {
    try {
      for (int i = 0; i < threads; ++i) {
        threads_.emplace_back([this] { Run(); });
      }
      return true;
    } catch (...) {
      Join();
      return false;
    }
  }

  void Post(std::function<void()> task) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.empty()) {
      tasks_.push_back(std::move(task));
      return;
    }
    Worker* worker = idle_.back();
    idle_.pop_back();
    worker->task = std::move(task);
    // Under the lock: once it is released the worker may run the task and,
    // if the pool is stopping, return and destroy its Worker.
    worker->cv.notify_one();
  }

  // Lets the running tasks finish, drops the queued ones, and joins.
  void Join() {
    std::deque<std::function<void()>> dropped;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      dropped.swap(tasks_);
      for (Worker* worker : idle_) worker->cv.notify_one();
    }
    for (std::thread& thread : threads_) thread.join();
    threads_.clear();
    dropped.clear();
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = false;
  }

 private:
  struct Worker {
    std::condition_variable cv;
    std::function<void()> task;  // set by Post while the worker is idle
  };

  void Run() {
    Worker self;
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock<std::mutex> lock(mu_);
        if (!tasks_.empty() && !stopping_) {
          task = std::move(tasks_.front());
          tasks_.pop_front();
        } else {
          if (stopping_) return;
          idle_.push_back(&self);
          self.cv.wait(lock, [&] { return self.task != nullptr || stopping_; });
          if (self.task == nullptr) {
            idle_.erase(std::find(idle_.begin(), idle_.end(), &self));
            return;
          }
          task = std::move(self.task);
          self.task = nullptr;
        }
      }
      try {
        task();
      } catch (...) {
        FR_LOG(ERROR) << "HTTP handler task threw";
      }
    }
  }

  std::mutex mu_;
  std::deque<std::function<void()>> tasks_;
  std::vector<Worker*> idle_;  // a stack: the last one idle is used first
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace fraisier::server::internal

#endif  // ENGINE_SERVER_HTTP_HANDLER_POOL_H_
