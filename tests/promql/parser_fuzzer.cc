// libFuzzer target for the PromQL parser and printer (built and run by
// tools/fuzz_parser). Oracles, each an abort:
//   - parsing never crashes, leaks or trips a sanitizer (any input bytes);
//   - whatever parses round-trips: Parse(Format(e)) succeeds, equals e
//     (AstEqual) and formats to the same text;
//   - enabling experimental functions never changes an accepted parse.
//
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "promql/ast.h"
#include "promql/parser.h"
#include "promql/printer.h"

namespace fraisier::promql {
namespace {

[[noreturn]] void Fail(absl::string_view what, absl::string_view input,
                       absl::string_view detail) {
  std::fprintf(stderr, "parser_fuzzer: %.*s\n  input: %.*s\n  %.*s\n",
               static_cast<int>(what.size()), what.data(),
               static_cast<int>(input.size()), input.data(),
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

// Calls f on every node of the tree, parents first.
template <typename F>
void ForEachNode(Expr& e, const F& f) {
  f(e);
  switch (e.kind()) {
    case NodeKind::kNumberLiteral:
    case NodeKind::kStringLiteral:
    case NodeKind::kVectorSelector:
      return;
    case NodeKind::kMatrixSelector:
      ForEachNode(*static_cast<MatrixSelector&>(e).selector, f);
      return;
    case NodeKind::kSubquery:
      ForEachNode(*static_cast<Subquery&>(e).expr, f);
      return;
    case NodeKind::kParen:
      ForEachNode(*static_cast<ParenExpr&>(e).expr, f);
      return;
    case NodeKind::kUnary:
      ForEachNode(*static_cast<UnaryExpr&>(e).expr, f);
      return;
    case NodeKind::kBinary: {
      auto& b = static_cast<BinaryExpr&>(e);
      ForEachNode(*b.lhs, f);
      ForEachNode(*b.rhs, f);
      return;
    }
    case NodeKind::kAggregate: {
      auto& a = static_cast<AggregateExpr&>(e);
      ForEachNode(*a.expr, f);
      if (a.param != nullptr) ForEachNode(*a.param, f);
      return;
    }
    case NodeKind::kCall:
      for (ExprPtr& arg : static_cast<Call&>(e).args) ForEachNode(*arg, f);
      return;
  }
}

// Parses `input`; when it parses, checks the round trip. Returns the tree.
absl::StatusOr<ExprPtr> ParseAndCheck(absl::string_view input,
                                      const ParseOptions& options) {
  absl::StatusOr<ExprPtr> first = ParseExpr(input, options);
  if (!first.ok()) return first;
  const std::string formatted = Format(**first);
  absl::StatusOr<ExprPtr> second = ParseExpr(formatted, options);
  if (!second.ok()) {
    Fail("formatted expression does not parse", input,
         std::string("formatted: ") + formatted +
             "\n  error: " + std::string(second.status().message()));
  }
  const std::string reformatted = Format(**second);
  if (!AstEqual(**first, **second)) {
    Fail("round trip changed the tree", input,
         "formatted:   " + formatted + "\n  reformatted: " + reformatted);
  }
  if (reformatted != formatted) {
    Fail("Format is not idempotent", input,
         "formatted:   " + formatted + "\n  reformatted: " + reformatted);
  }
  return first;
}

}  // namespace
}  // namespace fraisier::promql

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using ::fraisier::promql::AstEqual;
  using ::fraisier::promql::ExprPtr;
  using ::fraisier::promql::ParseOptions;
  const absl::string_view input(reinterpret_cast<const char*>(data), size);

  ParseOptions plain;
  ParseOptions experimental;
  experimental.enable_experimental_functions = true;
  absl::StatusOr<ExprPtr> a = ::fraisier::promql::ParseAndCheck(input, plain);
  absl::StatusOr<ExprPtr> b =
      ::fraisier::promql::ParseAndCheck(input, experimental);
  if (a.ok() && (!b.ok() || !AstEqual(**a, **b))) {
    ::fraisier::promql::Fail(
        "experimental functions changed an accepted parse", input,
        b.ok() ? "trees differ" : std::string(b.status().message()));
  }
  return 0;
}
