// Helpers for the WAL and checkpoint tests (testonly).
#ifndef ENGINE_TSDB_WAL_TEST_UTIL_H_
#define ENGINE_TSDB_WAL_TEST_UTIL_H_

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "engine/base/status_matchers.h"
#include "engine/tsdb/wal.h"
#include "gtest/gtest.h"

namespace fraisier::tsdb::testing {

// A fresh, empty directory named after the running test (plus `suffix`).
inline std::string NewTestDir(absl::string_view suffix = "") {
  const ::testing::TestInfo* info =
      ::testing::UnitTest::GetInstance()->current_test_info();
  std::string dir =
      absl::StrCat(::testing::TempDir(), "/", info->test_suite_name(), ".",
                   info->name(), suffix);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Opens the WAL in `dir`, failing the test (and returning null) on error.
inline std::unique_ptr<Wal> OpenOrDie(const std::string& dir,
                                      WalOptions options = {}) {
  absl::StatusOr<std::unique_ptr<Wal>> wal = Wal::Open(dir, std::move(options));
  EXPECT_THAT(wal, ::fraisier::testing::IsOk());
  return wal.ok() ? std::move(wal).value() : nullptr;
}

inline std::string SegmentPath(absl::string_view dir, int index) {
  return absl::StrFormat("%s/%08d", dir, index);
}

inline std::string ReadFileOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void WriteFileOrDie(const std::string& path, absl::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  EXPECT_TRUE(out.good()) << path;
}

inline int64_t FileSize(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return static_cast<int64_t>(st.st_size);
}

// Every record Replay yields, in order; fails the test on a Replay error.
inline std::vector<std::string> ReplayAll(Wal& wal,
                                          ReplayStats* stats = nullptr) {
  std::vector<std::string> records;
  const absl::Status s = wal.Replay(
      [&](absl::string_view r) {
        records.emplace_back(r);
        return absl::OkStatus();
      },
      stats);
  EXPECT_TRUE(s.ok()) << s;
  return records;
}

// Log() with initializer-list convenience.
inline absl::Status LogStrings(Wal& wal, const std::vector<std::string>& recs) {
  std::vector<absl::string_view> views(recs.begin(), recs.end());
  return wal.Log(views);
}

}  // namespace fraisier::tsdb::testing

#endif  // ENGINE_TSDB_WAL_TEST_UTIL_H_
