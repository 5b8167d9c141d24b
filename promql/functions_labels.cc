// Label functions: label_replace, label_join, sort_by_label and
// sort_by_label_desc (Prometheus 3 semantics, promql/functions.go).
#include <algorithm>
#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "engine/model/labels.h"
#include "engine/model/validation.h"
#include "promql/eval_functions.h"
#include "promql/functions_internal.h"
#include "re2/re2.h"

namespace fraisier::promql {
namespace {

using functions_internal::CheckUnique;
using functions_internal::NaturalCompare;
using functions_internal::StringArg;
using functions_internal::VectorArg;
using functions_internal::VectorFunctionEntry;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Length of the digit run at s[*pos], after advancing *pos over leading
// zeros the way natsort does (which can, quirkily, step onto a non-digit).
size_t DigitRun(absl::string_view s, size_t* pos) {
  size_t len = 1;
  char cur = s[*pos];
  while (*pos + len < s.size()) {
    const char next = s[*pos + len];
    if (cur == '0') {
      ++*pos;
      cur = next;
      continue;
    }
    if (!IsDigit(next)) break;
    ++len;
  }
  return len;
}

}  // namespace

int functions_internal::NaturalCompare(absl::string_view a,
                                       absl::string_view b) {
  size_t pa = 0;
  size_t pb = 0;
  while (true) {
    if (pa >= a.size()) return pb >= b.size() ? 0 : -1;
    if (pb >= b.size()) return 1;
    if (IsDigit(a[pa]) && IsDigit(b[pb])) {
      const size_t la = DigitRun(a, &pa);
      const size_t lb = DigitRun(b, &pb);
      if (la != lb) return la < lb ? -1 : 1;
      const int c = a.substr(pa, la).compare(b.substr(pb, lb));
      if (c != 0) return c < 0 ? -1 : 1;
      pa += la;
      pb += lb;
      continue;
    }
    if (a[pa] == b[pb]) {
      ++pa;
      ++pb;
      continue;
    }
    return static_cast<unsigned char>(a[pa]) < static_cast<unsigned char>(b[pb])
               ? -1
               : 1;
  }
}

namespace {

// Compiled label_replace regexes, shared by all queries: the function runs
// once per step, and range queries have many steps.
class RegexCache {
 public:
  // The regex for `pattern` anchored as Prometheus anchors it, or nullptr
  // when it does not compile.
  std::shared_ptr<const RE2> Get(absl::string_view pattern) {
    absl::MutexLock lock(&mu_);
    auto it = cache_.find(pattern);
    if (it != cache_.end()) return it->second;
    RE2::Options options;
    options.set_log_errors(false);
    const std::string anchored = absl::StrCat("^(?s:", pattern, ")$");
    auto re = std::make_shared<const RE2>(
        re2::StringPiece(anchored.data(), anchored.size()), options);
    if (!re->ok()) return nullptr;
    if (cache_.size() >= kMaxEntries) cache_.clear();
    cache_.emplace(std::string(pattern), re);
    return re;
  }

 private:
  static constexpr size_t kMaxEntries = 256;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const RE2>> cache_
      ABSL_GUARDED_BY(mu_);
};

RegexCache& Regexes() {
  static RegexCache* const cache = new RegexCache();
  return *cache;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) ||
         c == '_';
}

// Go's Regexp.ExpandString: $1, ${1}, $name, ${name} and $$; a name is the
// longest run of letters, digits and '_' (so "$1x" means the group "1x");
// unknown or non-participating groups expand to nothing; a '$' not followed
// by a valid reference is kept literally. (Names are ASCII here; Go also
// accepts Unicode letters.)
std::string Expand(const RE2& re, absl::string_view tmpl,
                   const std::vector<re2::StringPiece>& groups) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    const size_t dollar = tmpl.find('$', i);
    if (dollar == absl::string_view::npos) break;
    out.append(tmpl.data() + i, dollar - i);
    size_t p = dollar + 1;
    if (p < tmpl.size() && tmpl[p] == '$') {
      out.push_back('$');
      i = p + 1;
      continue;
    }
    const bool brace = p < tmpl.size() && tmpl[p] == '{';
    if (brace) ++p;
    size_t end = p;
    while (end < tmpl.size() && IsNameChar(tmpl[end])) ++end;
    absl::string_view name = tmpl.substr(p, end - p);
    bool ok = !name.empty();
    if (ok && brace) {
      ok = end < tmpl.size() && tmpl[end] == '}';
      ++end;
    }
    if (!ok) {
      out.push_back('$');
      i = dollar + 1;
      continue;
    }
    i = end;
    int num = 0;
    for (char c : name) {
      if (!IsDigit(c) || num >= 100000000) {
        num = -1;
        break;
      }
      num = num * 10 + (c - '0');
    }
    if (name.size() > 1 && name[0] == '0') num = -1;
    int index = num;
    if (num < 0) {
      const auto& named = re.NamedCapturingGroups();
      auto it = named.find(std::string(name));
      index = it == named.end() ? -1 : it->second;
    }
    if (index >= 0 && static_cast<size_t>(index) < groups.size() &&
        groups[index].data() != nullptr) {
      out.append(groups[index].data(), groups[index].size());
    }
  }
  out.append(tmpl.data() + i, tmpl.size() - i);
  return out;
}

// label_replace(v, dst, replacement, src, regex): where regex matches the
// whole value of src (absent labels match as ""), set dst to the expanded
// replacement (an empty result removes dst). Setting __name__ keeps the
// name (drop_name cleared).
absl::Status LabelReplace(const VectorContext& ctx, absl::Span<const Arg> args,
                          Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<absl::string_view> dst = StringArg(args, 1);
  if (!dst.ok()) return dst.status();
  absl::StatusOr<absl::string_view> repl = StringArg(args, 2);
  if (!repl.ok()) return repl.status();
  absl::StatusOr<absl::string_view> src = StringArg(args, 3);
  if (!src.ok()) return src.status();
  absl::StatusOr<absl::string_view> pattern = StringArg(args, 4);
  if (!pattern.ok()) return pattern.status();

  std::shared_ptr<const RE2> re = Regexes().Get(*pattern);
  if (re == nullptr) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid regular expression in label_replace(): ", *pattern));
  }
  if (!IsValidLabelName(*dst, NameValidation::kUtf8)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "invalid destination label name in label_replace(): ", *dst));
  }
  std::vector<re2::StringPiece> groups(
      static_cast<size_t>(re->NumberOfCapturingGroups()) + 1);
  LabelsBuilder builder;
  out->reserve((*in)->size());
  for (const VectorSample& s : **in) {
    VectorSample o = s;
    // flag: the regex matched (the labels are then the rewritten ones).
    const DerivedLabelsMemo::Entry* e =
        ctx.memo != nullptr ? ctx.memo->Find(s.metric) : nullptr;
    DerivedLabelsMemo::Entry fresh;
    if (e == nullptr) {
      const absl::string_view value = s.metric.Get(*src);
      fresh.flag = re->Match(re2::StringPiece(value.data(), value.size()), 0,
                             value.size(), RE2::UNANCHORED, groups.data(),
                             static_cast<int>(groups.size()));
      if (fresh.flag) {
        builder.Reset(s.metric);
        builder.Set(*dst, Expand(*re, *repl, groups));
        fresh.output = builder.Build();
      }
      if (ctx.memo != nullptr) ctx.memo->Insert(s.metric, fresh);
      e = &fresh;
    }
    if (e->flag) {
      o.metric = e->output;
      if (*dst == kMetricNameLabel) o.drop_name = false;
    }
    out->push_back(std::move(o));
  }
  return CheckUnique(*out);
}

// label_join(v, dst, separator, src...): dst becomes the values of the src
// labels joined by separator (absent labels count as ""; an empty result
// removes dst).
absl::Status LabelJoin(const VectorContext& ctx, absl::Span<const Arg> args,
                       Vector* out) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  absl::StatusOr<absl::string_view> dst = StringArg(args, 1);
  if (!dst.ok()) return dst.status();
  absl::StatusOr<absl::string_view> sep = StringArg(args, 2);
  if (!sep.ok()) return sep.status();
  std::vector<absl::string_view> srcs;
  for (size_t i = 3; i < args.size(); ++i) {
    absl::StatusOr<absl::string_view> src = StringArg(args, i);
    if (!src.ok()) return src.status();
    if (!IsValidLabelName(*src, NameValidation::kUtf8)) {
      return absl::InvalidArgumentError(
          absl::StrCat("invalid source label name in label_join(): ", *src));
    }
    srcs.push_back(*src);
  }
  if (!IsValidLabelName(*dst, NameValidation::kUtf8)) {
    return absl::InvalidArgumentError(
        absl::StrCat("invalid destination label name in label_join(): ", *dst));
  }
  std::vector<absl::string_view> values(srcs.size());
  LabelsBuilder builder;
  out->reserve((*in)->size());
  for (const VectorSample& s : **in) {
    VectorSample o = s;
    const DerivedLabelsMemo::Entry* e =
        ctx.memo != nullptr ? ctx.memo->Find(s.metric) : nullptr;
    if (e != nullptr) {
      o.metric = e->output;
    } else {
      for (size_t i = 0; i < srcs.size(); ++i) {
        values[i] = s.metric.Get(srcs[i]);
      }
      builder.Reset(s.metric);
      builder.Set(*dst, absl::StrJoin(values, *sep));
      o.metric = builder.Build();
      if (ctx.memo != nullptr) ctx.memo->Insert(s.metric, {o.metric});
    }
    if (*dst == kMetricNameLabel) o.drop_name = false;
    out->push_back(std::move(o));
  }
  return CheckUnique(*out);
}

// sort_by_label(v, label...): by the given labels' values in natural order,
// then by the full label set. Naturally equal values ("01", "1") fall
// through to the next label, which keeps the order well defined.
absl::Status SortByLabelImpl(absl::Span<const Arg> args, Vector* out,
                             bool descending) {
  absl::StatusOr<const Vector*> in = VectorArg(args, 0);
  if (!in.ok()) return in.status();
  std::vector<absl::string_view> names;
  for (size_t i = 1; i < args.size(); ++i) {
    absl::StatusOr<absl::string_view> name = StringArg(args, i);
    if (!name.ok()) return name.status();
    names.push_back(*name);
  }
  *out = **in;
  std::stable_sort(
      out->begin(), out->end(),
      [&names, descending](const VectorSample& a, const VectorSample& b) {
        int c = 0;
        for (absl::string_view name : names) {
          const absl::string_view va = a.metric.Get(name);
          const absl::string_view vb = b.metric.Get(name);
          if (va == vb) continue;
          c = NaturalCompare(va, vb);
          if (c != 0) break;
        }
        if (c == 0) c = Labels::Compare(a.metric, b.metric);
        return descending ? c > 0 : c < 0;
      });
  return absl::OkStatus();
}

absl::Status SortByLabel(const VectorContext&, absl::Span<const Arg> args,
                         Vector* out) {
  return SortByLabelImpl(args, out, false);
}

absl::Status SortByLabelDesc(const VectorContext&, absl::Span<const Arg> args,
                             Vector* out) {
  return SortByLabelImpl(args, out, true);
}

constexpr VectorFunctionEntry kLabelFunctions[] = {
    {"label_join", LabelJoin},
    {"label_replace", LabelReplace},
    {"sort_by_label", SortByLabel},
    {"sort_by_label_desc", SortByLabelDesc},
};

}  // namespace

absl::Span<const VectorFunctionEntry> functions_internal::LabelFunctions() {
  return kLabelFunctions;
}

}  // namespace fraisier::promql
