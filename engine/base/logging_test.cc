#include "engine/base/logging.h"

#include <string>
#include <vector>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetLogSink([this](absl::string_view line) { lines_.emplace_back(line); });
  }
  void TearDown() override {
    SetLogSink(nullptr);
    SetMinLogLevel(LogLevel::kInfo);
  }
  std::vector<std::string> lines_;
};

int evaluated = 0;
int CountEvaluation() { return ++evaluated; }

TEST_F(LoggingTest, WritesLogfmtLine) {
  FR_LOG(INFO) << "loaded " << 3 << " groups";
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0],
              MatchesRegex("ts=[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z "
                           "level=info caller=logging_test.cc:[0-9]+ "
                           "msg=\"loaded 3 groups\""));
}

TEST_F(LoggingTest, QuotesMessage) {
  FR_LOG(ERROR) << "bad \"x\"\nnext \\";
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], HasSubstr("level=error"));
  EXPECT_THAT(lines_[0], HasSubstr(R"(msg="bad \"x\"\nnext \\")"));
}

TEST_F(LoggingTest, FiltersBelowMinimumWithoutEvaluating) {
  evaluated = 0;
  SetMinLogLevel(LogLevel::kWarning);
  FR_LOG(DEBUG) << CountEvaluation();
  FR_LOG(INFO) << CountEvaluation();
  FR_LOG(WARNING) << "kept";
  EXPECT_EQ(evaluated, 0);
  ASSERT_EQ(lines_.size(), 1u);
  EXPECT_THAT(lines_[0], HasSubstr("level=warn"));
}

TEST(ParseLogLevelTest, AcceptsPrometheusNames) {
  EXPECT_THAT(ParseLogLevel("debug"), IsOkAndHolds(LogLevel::kDebug));
  EXPECT_THAT(ParseLogLevel("INFO"), IsOkAndHolds(LogLevel::kInfo));
  EXPECT_THAT(ParseLogLevel("warn"), IsOkAndHolds(LogLevel::kWarning));
  EXPECT_THAT(ParseLogLevel("error"), IsOkAndHolds(LogLevel::kError));
  EXPECT_THAT(ParseLogLevel("loud"),
              StatusIs(absl::StatusCode::kInvalidArgument,
                       HasSubstr("unknown log level \"loud\"")));
}

}  // namespace
}  // namespace fraisier
