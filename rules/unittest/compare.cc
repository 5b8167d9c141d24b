#include "rules/unittest/compare.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"
#include "promql/promqltest/compare.h"

namespace fraisier::rules::unittest {
namespace {

using promql::promqltest::FormatFloat;

// Prometheus's labels.Compare on name/value lists.
int CompareLists(const LabelList& a, const LabelList& b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    if (int c = a[i].first.compare(b[i].first); c != 0) return c < 0 ? -1 : 1;
    if (int c = a[i].second.compare(b[i].second); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool AlertLess(const AlertInstance& x, const AlertInstance& y) {
  if (int c = CompareLists(x.labels, y.labels); c != 0) return c < 0;
  return CompareLists(x.annotations, y.annotations) < 0;
}

bool AlertEqual(const AlertInstance& x, const AlertInstance& y) {
  return x.labels == y.labels && x.annotations == y.annotations;
}

std::string FormatAlert(const AlertInstance& a) {
  return absl::StrCat(FormatLabelList(a.labels), " annotations ",
                      FormatLabelList(a.annotations));
}

std::string FormatSample(const SampleInstance& s) {
  return absl::StrCat(s.labels.ToString(), " ", FormatFloat(s.value));
}

// `exp:`/`got:` lines: a short list inline, a longer one an entry a line.
template <typename T, typename Format>
void AppendList(absl::string_view title, const std::vector<T>& items,
                Format format, absl::string_view indent, std::string* out) {
  absl::StrAppend(out, indent, title, ":");
  if (items.empty()) {
    absl::StrAppend(out, " (none)\n");
    return;
  }
  if (items.size() == 1) {
    absl::StrAppend(out, " ", format(items[0]), "\n");
    return;
  }
  absl::StrAppend(out, "\n");
  for (const T& item : items) {
    absl::StrAppend(out, indent, "  ", format(item), "\n");
  }
}

// The value of `name` in `list`, or nullptr.
const std::string* Find(const LabelList& list, const std::string& name) {
  for (const auto& [n, v] : list) {
    if (n == name) return &v;
  }
  return nullptr;
}

std::string Quoted(const std::string* v) {
  return v == nullptr ? "none" : GoQuote(*v);
}

// The annotation differences of two alerts with the same labels.
void AppendAnnotationDiff(const AlertInstance& exp, const AlertInstance& got,
                          absl::string_view indent, std::string* out) {
  LabelList names;
  for (const auto& kv : exp.annotations) names.push_back(kv);
  for (const auto& kv : got.annotations) names.push_back(kv);
  names = SortedLabelList(names);
  for (const auto& [name, unused] : names) {
    const std::string* e = Find(exp.annotations, name);
    const std::string* g = Find(got.annotations, name);
    if (e != nullptr && g != nullptr && *e == *g) continue;
    absl::StrAppend(out, indent, "    annotation ", GoQuote(name),
                    ": expected ", Quoted(e), ", got ", Quoted(g), "\n");
  }
}

// Removes the pairs that `equal` matches, keeping the rest in order.
template <typename T, typename Eq>
void DropMatched(std::vector<T>* exp, std::vector<T>* got, Eq equal) {
  std::vector<bool> used(got->size(), false);
  std::vector<T> exp_left;
  for (T& e : *exp) {
    bool matched = false;
    for (size_t j = 0; j < got->size() && !matched; ++j) {
      if (!used[j] && equal(e, (*got)[j])) matched = used[j] = true;
    }
    if (!matched) exp_left.push_back(std::move(e));
  }
  std::vector<T> got_left;
  for (size_t j = 0; j < got->size(); ++j) {
    if (!used[j]) got_left.push_back(std::move((*got)[j]));
  }
  *exp = std::move(exp_left);
  *got = std::move(got_left);
}

// Appends the `~`, `-` and `+` lines for what is left after exact
// matches: entries with equal labels pair up as changes.
template <typename T, typename SameLabels, typename Change, typename Format>
void AppendDiff(std::vector<T> exp, std::vector<T> got, SameLabels same,
                Change change, Format format, absl::string_view indent,
                std::string* out) {
  absl::StrAppend(out, indent, "diff (- expected, + got):\n");
  std::vector<bool> used(got.size(), false);
  std::vector<T> missing;
  for (const T& e : exp) {
    bool paired = false;
    for (size_t j = 0; j < got.size() && !paired; ++j) {
      if (used[j] || !same(e, got[j])) continue;
      used[j] = paired = true;
      change(e, got[j]);
    }
    if (!paired) missing.push_back(e);
  }
  for (const T& e : missing) {
    absl::StrAppend(out, indent, "  - ", format(e), "\n");
  }
  for (size_t j = 0; j < got.size(); ++j) {
    if (!used[j]) absl::StrAppend(out, indent, "  + ", format(got[j]), "\n");
  }
}

}  // namespace

LabelList SortedLabelList(const LabelList& list) {
  LabelList out;
  for (const auto& [name, value] : list) {
    auto it = std::find_if(out.begin(), out.end(),
                           [&](const auto& kv) { return kv.first == name; });
    if (it != out.end()) {
      it->second = value;
    } else {
      out.emplace_back(name, value);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

LabelList ToLabelList(const Labels& labels) {
  LabelList out;
  for (const Label& l : labels) {
    out.emplace_back(std::string(l.name), std::string(l.value));
  }
  return out;
}

std::string FormatLabelList(const LabelList& list) {
  std::string out = "{";
  for (size_t i = 0; i < list.size(); ++i) {
    if (i > 0) out += ", ";
    AppendLabelName(list[i].first, &out);
    out += "=";
    AppendGoQuote(list[i].second, &out);
  }
  out += "}";
  return out;
}

bool ValuesEqual(double expected, double got, bool fuzzy) {
  if (expected == got) return true;
  if (!fuzzy || std::isnan(expected) || std::isnan(got)) return false;
  return std::nextafter(expected, got) == got;
}

std::optional<std::string> DiffAlerts(std::vector<AlertInstance> expected,
                                      std::vector<AlertInstance> got,
                                      absl::string_view indent) {
  std::sort(expected.begin(), expected.end(), AlertLess);
  std::sort(got.begin(), got.end(), AlertLess);
  if (std::equal(expected.begin(), expected.end(), got.begin(), got.end(),
                 AlertEqual)) {
    return std::nullopt;
  }
  std::string out;
  AppendList("exp", expected, FormatAlert, indent, &out);
  AppendList("got", got, FormatAlert, indent, &out);
  DropMatched(&expected, &got, AlertEqual);
  AppendDiff(
      std::move(expected), std::move(got),
      [](const AlertInstance& e, const AlertInstance& g) {
        return e.labels == g.labels;
      },
      [&](const AlertInstance& e, const AlertInstance& g) {
        absl::StrAppend(&out, indent, "  ~ ", FormatLabelList(e.labels), "\n");
        AppendAnnotationDiff(e, g, indent, &out);
      },
      FormatAlert, indent, &out);
  return out;
}

std::optional<std::string> DiffSamples(std::vector<SampleInstance> expected,
                                       std::vector<SampleInstance> got,
                                       bool fuzzy, absl::string_view indent) {
  auto less = [](const SampleInstance& x, const SampleInstance& y) {
    if (int c = Labels::Compare(x.labels, y.labels); c != 0) return c < 0;
    return x.value < y.value;
  };
  auto equal = [fuzzy](const SampleInstance& e, const SampleInstance& g) {
    return e.labels == g.labels && ValuesEqual(e.value, g.value, fuzzy);
  };
  std::sort(expected.begin(), expected.end(), less);
  std::sort(got.begin(), got.end(), less);
  if (std::equal(expected.begin(), expected.end(), got.begin(), got.end(),
                 equal)) {
    return std::nullopt;
  }
  std::string out;
  AppendList("exp", expected, FormatSample, indent, &out);
  AppendList("got", got, FormatSample, indent, &out);
  DropMatched(&expected, &got, equal);
  AppendDiff(
      std::move(expected), std::move(got),
      [](const SampleInstance& e, const SampleInstance& g) {
        return e.labels == g.labels;
      },
      [&](const SampleInstance& e, const SampleInstance& g) {
        absl::StrAppend(&out, indent, "  ~ ", e.labels.ToString(),
                        ": expected ", FormatFloat(e.value), ", got ",
                        FormatFloat(g.value), "\n");
      },
      FormatSample, indent, &out);
  return out;
}

}  // namespace fraisier::rules::unittest
