#include "rules/unittest/yaml_values.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/time.h"
#include "promql/literals.h"
#include "re2/re2.h"

namespace fraisier::rules::unittest {
namespace {

using yaml::Diagnostics;
using yaml::YamlNode;

bool ExpectPlainScalar(const YamlNode& node, Diagnostics* diag,
                       absl::string_view what) {
  if (node.kind != YamlNode::Kind::kScalar) {
    diag->Error(node, absl::StrCat("cannot unmarshal ",
                                   yaml::KindName(node.kind), " into ", what));
    return false;
  }
  return true;
}

std::optional<double> YamlSpecialFloat(absl::string_view s) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  for (absl::string_view inf : {".inf", ".Inf", ".INF"}) {
    if (s == inf || s == absl::StrCat("+", inf)) return kInf;
    if (s == absl::StrCat("-", inf)) return -kInf;
  }
  for (absl::string_view nan : {".nan", ".NaN", ".NAN"}) {
    if (s == nan) return std::numeric_limits<double>::quiet_NaN();
  }
  return std::nullopt;
}

}  // namespace

bool DecodeFloat(const YamlNode& node, Diagnostics* diag, double* out) {
  if (node.IsNull()) {
    *out = 0;
    return true;
  }
  if (!ExpectPlainScalar(node, diag, "a float")) return false;
  auto fail = [&] {
    diag->Error(node,
                absl::StrCat("cannot unmarshal ", node.quoted ? "string " : "",
                             "\"", node.scalar, "\" into a float"));
    return false;
  };
  if (node.quoted) return fail();
  if (std::optional<double> special = YamlSpecialFloat(node.scalar)) {
    *out = *special;
    return true;
  }
  const std::string plain = absl::StrReplaceAll(node.scalar, {{"_", ""}});
  if (std::optional<int64_t> i = promql::GoParseInt(plain)) {
    *out = static_cast<double>(*i);
    return true;
  }
  if (std::optional<uint64_t> u = promql::GoParseUint(plain)) {
    *out = static_cast<double>(*u);
    return true;
  }
  static const LazyRE2 kYamlFloat = {
      R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)"};
  if (!RE2::FullMatch(plain, *kYamlFloat)) return fail();
  absl::StatusOr<double> v = promql::ParseGoFloat(plain);
  if (!v.ok()) return fail();
  *out = *v;
  return true;
}

bool DecodeDurationMs(const YamlNode& node, Diagnostics* diag, int64_t* out) {
  if (node.IsNull()) {
    *out = 0;
    return true;
  }
  if (!ExpectPlainScalar(node, diag, "a duration")) return false;
  absl::StatusOr<int64_t> ms = promql::ParseDurationMs(node.scalar);
  if (!ms.ok()) {
    diag->Error(node, ms.status().message());
    return false;
  }
  *out = *ms;
  return true;
}

bool DecodeTimestampMs(const YamlNode& node, Diagnostics* diag, int64_t* out) {
  if (node.IsNull()) {
    *out = 0;
    return true;
  }
  if (!ExpectPlainScalar(node, diag, "a timestamp")) return false;
  if (!node.quoted) {
    if (std::optional<int64_t> seconds = promql::GoParseInt(node.scalar)) {
      constexpr int64_t kMaxSeconds =
          std::numeric_limits<int64_t>::max() / 1000;
      if (*seconds > kMaxSeconds || *seconds < -kMaxSeconds) {
        diag->Error(
            node, absl::StrCat("start_timestamp out of range: ", node.scalar));
        return false;
      }
      *out = *seconds * 1000;
      return true;
    }
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, node.scalar, &t, &error)) {
    diag->Error(node, absl::StrCat("invalid start_timestamp \"", node.scalar,
                                   "\": want Unix seconds or an RFC 3339 "
                                   "time such as 2024-01-01T00:00:00Z"));
    return false;
  }
  *out = absl::ToUnixMillis(t);
  return true;
}

}  // namespace fraisier::rules::unittest
