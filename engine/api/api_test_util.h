// Test fixture for the API handlers: an in-memory store holding the data
// set that the expected bodies were taken from. The same samples were
// loaded into a real Prometheus 2.42 (promtool tsdb create-blocks-from
// openmetrics, then the API on a loopback port), and the bodies in the
// tests are what it answered unless a test says otherwise.
#ifndef ENGINE_API_API_TEST_UTIL_H_
#define ENGINE_API_API_TEST_UTIL_H_

#include <memory>
#include <string>

#include "absl/strings/string_view.h"
#include "engine/api/api.h"
#include "engine/base/clock.h"
#include "engine/model/labels.h"
#include "engine/storage/memory_storage.h"
#include "gtest/gtest.h"
#include "promql/engine.h"

namespace fraisier::api::testing {

// 2023-11-14T22:13:51Z, one second after the last `up` sample.
inline constexpr int64_t kNowSeconds = 1700000031;

class ApiTest : public ::testing::Test {
 protected:
  ApiTest();

  // Adds one sample (t in milliseconds).
  void Add(const Labels& labels, Timestamp t, double v);
  // Rebuilds the Api after options_ changed.
  void Rebuild();

  Response Get(absl::string_view path, Params params = {});
  Response Post(absl::string_view path, Params params = {});
  Response Do(Request request);

  storage::MemoryStorage storage_;
  FakeClock clock_;
  std::unique_ptr<promql::Engine> engine_;
  ApiOptions options_;
  std::unique_ptr<Api> api_;
};

// {"status":"success","data":<data>}
std::string Success(absl::string_view data);
// {"status":"error","errorType":"<type>","error":<message as JSON>}
std::string Error(absl::string_view type, absl::string_view message);

}  // namespace fraisier::api::testing

#endif  // ENGINE_API_API_TEST_UTIL_H_
