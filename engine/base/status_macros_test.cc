#include "engine/base/status_macros.h"

#include <memory>
#include <string>

#include "engine/base/status_matchers.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace fraisier {
namespace {

using ::fraisier::testing::IsOk;
using ::fraisier::testing::IsOkAndHolds;
using ::fraisier::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

absl::Status FailIf(bool fail) {
  return fail ? absl::InvalidArgumentError("boom") : absl::OkStatus();
}

absl::StatusOr<int> Half(int n) {
  if (n % 2 != 0) return absl::InvalidArgumentError("odd");
  return n / 2;
}

absl::Status Steps(bool fail_first, int* reached) {
  *reached = 0;
  FR_RETURN_IF_ERROR(FailIf(fail_first));
  *reached = 1;
  FR_RETURN_IF_ERROR(FailIf(false));
  *reached = 2;
  return absl::OkStatus();
}

absl::StatusOr<int> Quarter(int n) {
  FR_ASSIGN_OR_RETURN(int half, Half(n));
  FR_ASSIGN_OR_RETURN(half, Half(half));  // assigns to an existing variable
  return half;
}

absl::StatusOr<std::unique_ptr<std::string>> MakeOwned(bool fail) {
  if (fail) return absl::NotFoundError("none");
  return std::make_unique<std::string>("owned");
}

absl::StatusOr<std::string> UseMoveOnly(bool fail) {
  FR_ASSIGN_OR_RETURN(auto owned, MakeOwned(fail));
  return *owned;
}

TEST(StatusMacrosTest, ReturnIfErrorStopsAtFirstError) {
  int reached = -1;
  EXPECT_THAT(Steps(true, &reached),
              StatusIs(absl::StatusCode::kInvalidArgument, "boom"));
  EXPECT_EQ(reached, 0);
  EXPECT_THAT(Steps(false, &reached), IsOk());
  EXPECT_EQ(reached, 2);
}

struct AssignCase {
  int input;
  bool ok;
  int want;
};

TEST(StatusMacrosTest, AssignOrReturnTable) {
  const AssignCase cases[] = {
      {8, true, 2}, {4, true, 1}, {0, true, 0}, {6, false, 0}, {7, false, 0}};
  for (const AssignCase& c : cases) {
    SCOPED_TRACE(c.input);
    absl::StatusOr<int> got = Quarter(c.input);
    if (c.ok) {
      EXPECT_THAT(got, IsOkAndHolds(c.want));
    } else {
      EXPECT_THAT(got, StatusIs(absl::StatusCode::kInvalidArgument, "odd"));
    }
  }
}

TEST(StatusMacrosTest, AssignOrReturnMovesMoveOnlyValues) {
  EXPECT_THAT(UseMoveOnly(false), IsOkAndHolds(std::string("owned")));
  EXPECT_THAT(UseMoveOnly(true), StatusIs(absl::StatusCode::kNotFound));
}

TEST(StatusMatchersTest, MatchersDescribeMismatches) {
  EXPECT_THAT(absl::InternalError("x"), Not(IsOk()));
  EXPECT_THAT(absl::InternalError("disk full"),
              StatusIs(absl::StatusCode::kInternal, HasSubstr("full")));
  EXPECT_THAT(absl::InternalError("disk full"),
              Not(StatusIs(absl::StatusCode::kInternal, HasSubstr("empty"))));
  EXPECT_THAT(absl::InternalError("disk full"),
              Not(StatusIs(absl::StatusCode::kUnavailable)));
  EXPECT_THAT(absl::StatusOr<int>(3), Not(IsOkAndHolds(4)));
  ::testing::StringMatchResultListener listener;
  EXPECT_FALSE(::testing::ExplainMatchResult(
      IsOk(), absl::NotFoundError("missing"), &listener));
  EXPECT_THAT(listener.str(), HasSubstr("missing"));
}

}  // namespace
}  // namespace fraisier
