// Helpers for integration tests that run real peers (prometheus,
// alertmanager) on loopback: free ports, child processes, an HTTP client
// and polling with a deadline.
#ifndef TESTS_INTEGRATION_TEST_UTIL_H_
#define TESTS_INTEGRATION_TEST_UTIL_H_

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace fraisier::integration {

// A loopback port nobody listens on right now.
int FreePort();

// A child process, killed (SIGTERM, then SIGKILL after 10 s) on
// destruction. stdout and stderr go to `log_file`.
class ChildProcess {
 public:
  ChildProcess(std::vector<std::string> argv, const std::string& log_file);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits; returns the exit status (or -1).
  int Stop();

 private:
  pid_t pid_ = -1;
};

struct HttpResult {
  long status = 0;  // 0: transport error
  std::string body;
  std::string error;
};

HttpResult HttpGet(const std::string& url);
HttpResult HttpPost(const std::string& url, const std::string& body,
                    const std::vector<std::string>& headers);

// URL-encodes a query parameter value.
std::string UrlEncode(const std::string& s);

// Calls `done` until it returns true or `timeout` passes (real time: the
// peers are real processes with their own clocks).
bool PollUntil(absl::Duration timeout, const std::function<bool()>& done);

// A fresh directory under TEST_TMPDIR.
std::string MakeTempDir(const std::string& name);

}  // namespace fraisier::integration

#endif  // TESTS_INTEGRATION_TEST_UTIL_H_
