// MemIndex queries: Select (PostingsForMatchers), LabelNames, LabelValues.
//
// How matchers become postings (the semantics are Prometheus's: an absent
// label reads as ""):
//  - A matcher that does not match "" needs the label, so the result is
//    intersected with the union of the postings of the values it matches.
//  - A matcher that matches "" also accepts series without the label, so it
//    cannot narrow by intersection; instead the postings of the values it
//    rejects are subtracted. {x!="a"} subtracts x="a"; {x=""} subtracts
//    every x value; {x=~"a|"} subtracts every x value but "a".
//  - When another matcher on the same name already requires the label, an
//    =/=~ matcher that matches "" is intersected like the first kind (as
//    Prometheus does), which avoids scanning for the complement.
//  - =~".*" matches every value and the absent label: it is dropped.
//  - When no matcher intersects, subtraction starts from all series.
// Value sets come from a lookup for =, one lookup per alternative for
// literal alternations, a range scan for regexes with a literal prefix, and
// otherwise a scan of that one name's values, never of series.
#include <algorithm>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/match.h"
#include "engine/tsdb/index.h"

namespace fraisier::tsdb {

struct MemIndex::Plan {
  const Matcher* matcher = nullptr;
  // Intersect the result with `lists`, or subtract them from it.
  bool intersect = true;
  // The values to collect: those v with matcher->Matches(v) == want.
  bool want = true;
  // Resolved by lookups alone (no scan over the name's values).
  bool lookup = false;
  std::optional<std::vector<std::string>> set_matches;
  // Filled by ResolvePlan: postings of the collected values (disjoint, since
  // a series has one value per name) and their total length.
  std::vector<PostingsSpan> lists;
  size_t total = 0;
};

namespace {

bool IsPositive(MatchType type) {
  return type == MatchType::kEqual || type == MatchType::kRegexMatch;
}

bool IsRegex(MatchType type) {
  return type == MatchType::kRegexMatch || type == MatchType::kRegexNoMatch;
}

// Whether the underlying test (equality or regex match, before negation)
// must hold for the values `plan` collects.
bool WantInner(const Matcher& m, bool want) {
  return want == IsPositive(m.type());
}

// Result := result ∩ (∪ lists). The lists are disjoint; rather than merging
// them, mark the result's elements found in any list and keep those, so the
// cost follows the shorter side of each pair (by galloping).
void IntersectWithUnion(absl::Span<const PostingsSpan> lists,
                        std::vector<SeriesId>* result,
                        std::vector<SeriesId>* scratch,
                        std::vector<uint8_t>* marks) {
  if (lists.size() == 1) {
    Intersect(*result, lists[0], scratch);
    result->swap(*scratch);
    return;
  }
  marks->assign(result->size(), 0);
  for (const PostingsSpan& l : lists) MarkCommon(*result, l, marks);
  FilterByMarks(*marks, 0, result);
}

// Result := result \ (∪ lists), with the same marking.
void SubtractUnion(absl::Span<const PostingsSpan> lists,
                   std::vector<SeriesId>* result, std::vector<uint8_t>* marks) {
  marks->assign(result->size(), 0);
  for (const PostingsSpan& l : lists) MarkCommon(*result, l, marks);
  FilterByMarks(*marks, 1, result);
}

}  // namespace

void MemIndex::ResolvePlan(Plan* plan) const {
  const Matcher& m = *plan->matcher;
  const ValueMap* values = FindValues(m.name());
  if (values == nullptr) return;
  const bool want = plan->want;
  const bool want_inner = WantInner(m, want);
  const auto add = [plan](const PostingsList& list) {
    plan->lists.push_back(list.span());
    plan->total += list.size();
  };
  const auto lookup = [&](absl::string_view v) {
    const auto it = values->find(v);
    if (it != values->end()) add(it->second);
  };
  const auto add_matching = [&](ValueMap::const_iterator it,
                                ValueMap::const_iterator end) {
    for (; it != end; ++it) {
      if (m.Matches(it->first) == want) add(it->second);
    }
  };
  if (!IsRegex(m.type())) {
    if (want_inner) {
      lookup(m.value());
    } else {
      for (const auto& [v, list] : *values) {
        if (v != m.value()) add(list);
      }
    }
    return;
  }
  if (m.value() == ".*" || m.value() == ".+") {
    // Every stored value is non-empty, so both match all of them.
    if (want_inner) {
      for (const auto& [v, list] : *values) add(list);
    }
    return;
  }
  if (want_inner && plan->set_matches.has_value()) {
    for (const std::string& v : *plan->set_matches) lookup(v);
    return;
  }
  const absl::string_view prefix = m.LiteralPrefix();
  if (want_inner && !prefix.empty()) {
    // Values are sorted, so those with the prefix form one range.
    auto end = values->lower_bound(prefix);
    while (end != values->end() && absl::StartsWith(end->first, prefix)) {
      ++end;
    }
    add_matching(values->lower_bound(prefix), end);
    return;
  }
  add_matching(values->begin(), values->end());
}

std::vector<SeriesId> MemIndex::Select(
    absl::Span<const Matcher> matchers) const {
  const auto lock = LockShared();
  return SelectLocked(matchers);
}

std::vector<SeriesId> MemIndex::SelectLocked(
    absl::Span<const Matcher> matchers) const {
  if (matchers.empty()) return {};
  std::vector<Plan> plans;
  plans.reserve(matchers.size());
  for (const Matcher& m : matchers) {
    if (m.type() == MatchType::kRegexMatch && m.value() == ".*") continue;
    Plan plan;
    plan.matcher = &m;
    if (!m.MatchesEmpty()) {
      plan.intersect = true;
      plan.want = true;
    } else {
      const bool label_required =
          IsPositive(m.type()) &&
          std::any_of(matchers.begin(), matchers.end(), [&](const Matcher& o) {
            return o.name() == m.name() && !o.MatchesEmpty();
          });
      plan.intersect = label_required;
      plan.want = label_required;
    }
    const bool want_inner = WantInner(m, plan.want);
    if (IsRegex(m.type())) {
      plan.set_matches = m.SetMatches();
      plan.lookup = want_inner && plan.set_matches.has_value();
    } else {
      plan.lookup = want_inner;
    }
    plans.push_back(std::move(plan));
  }

  // Intersections first, cheapest (lookups) first, so an empty one ends the
  // query before any value scan and the running result is small when the
  // scans and the subtractions are applied.
  std::vector<Plan*> lookups, scans, subtractions;
  for (Plan& p : plans) {
    (!p.intersect ? subtractions : p.lookup ? lookups : scans).push_back(&p);
  }
  const auto by_size = [](const Plan* a, const Plan* b) {
    return a->total < b->total;
  };
  std::vector<SeriesId> result, scratch;
  std::vector<uint8_t> marks;
  bool started = false;
  const auto intersect_all = [&](std::vector<Plan*>& group) {
    for (Plan* p : group) {
      ResolvePlan(p);
      if (p->lists.empty()) return false;
    }
    std::sort(group.begin(), group.end(), by_size);
    for (Plan* p : group) {
      if (!started) {
        Merge(p->lists, &result);
        started = true;
      } else {
        IntersectWithUnion(p->lists, &result, &scratch, &marks);
      }
      if (result.empty()) return false;
    }
    return true;
  };
  if (!intersect_all(lookups) || !intersect_all(scans)) return {};
  if (!started) {
    const PostingsSpan all = all_.span();
    result.assign(all.begin(), all.end());
  }
  for (Plan* p : subtractions) {
    if (result.empty()) break;
    ResolvePlan(p);
    SubtractUnion(p->lists, &result, &marks);
  }
  return result;
}

std::vector<std::string> MemIndex::LabelNames(
    absl::Span<const Matcher> matchers) const {
  const auto lock = LockShared();
  std::vector<std::string> names;
  if (matchers.empty()) {
    names.reserve(names_.size());
    for (const auto& [name, values] : names_) names.emplace_back(name);
    return names;
  }
  const std::vector<SeriesId> selected = SelectLocked(matchers);
  if (selected.empty()) return names;
  const bool everything = selected.size() == all_.size();
  for (const auto& [name, values] : names_) {
    // Every name has at least one series, hence one among all of them.
    bool found = everything;
    for (auto it = values.begin(); !found && it != values.end(); ++it) {
      found = Intersects(selected, it->second.span());
    }
    if (found) names.emplace_back(name);
  }
  return names;
}

std::vector<std::string> MemIndex::LabelValues(
    absl::string_view name, absl::Span<const Matcher> matchers) const {
  const auto lock = LockShared();
  std::vector<std::string> result;
  const ValueMap* values = FindValues(name);
  if (values == nullptr) return result;
  if (matchers.empty()) {
    result.reserve(values->size());
    for (const auto& [v, list] : *values) result.emplace_back(v);
    return result;
  }
  // Matchers on `name` itself reject values outright, before any postings
  // are touched (as Prometheus's labelValuesWithMatchers).
  std::vector<const Matcher*> on_name;
  for (const Matcher& m : matchers) {
    if (m.name() == name) on_name.push_back(&m);
  }
  const std::vector<SeriesId> selected = SelectLocked(matchers);
  if (selected.empty()) return result;
  for (const auto& [v, list] : *values) {
    const bool allowed =
        std::all_of(on_name.begin(), on_name.end(),
                    [&v = v](const Matcher* m) { return m->Matches(v); });
    if (allowed && Intersects(selected, list.span())) result.emplace_back(v);
  }
  return result;
}

}  // namespace fraisier::tsdb
