#include "engine/model/labels.h"

#include <algorithm>
#include <cstring>
#include <new>

#include "absl/container/inlined_vector.h"
#include "engine/model/go_quote.h"
#include "engine/model/xxhash.h"

namespace fraisier {
namespace {

constexpr char kSeparator = '\xff';

// XXH64 of no bytes: the hash of the empty label set, as in Prometheus.
constexpr uint64_t kEmptyHash = 0xEF46DB3751D8E999ULL;

// Duplicated from validation (which depends on this library) because
// printing needs it; kept trivial so the two cannot drift meaningfully.
bool IsLegacyName(absl::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = c == '_' || (c >= 'a' && c <= 'z') ||
                    (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

}  // namespace

void AppendLabelName(absl::string_view name, std::string* out) {
  if (IsLegacyName(name)) {
    out->append(name.data(), name.size());
  } else {
    AppendGoQuote(name, out);
  }
}

Label Labels::LabelAt(const Rep& rep, size_t i) {
  const uint32_t* ends = rep.ends();
  const size_t name_begin = i == 0 ? 0 : ends[2 * i - 1] + 1;
  const size_t name_end = ends[2 * i];
  const size_t value_end = ends[2 * i + 1];
  const char* data = rep.data();
  return Label{
      absl::string_view(data + name_begin, name_end - name_begin),
      absl::string_view(data + name_end + 1, value_end - name_end - 1)};
}

void Labels::Free(const Rep* rep) {
  rep->~Rep();
  ::operator delete(const_cast<Rep*>(rep));
}

Label Labels::operator[](size_t i) const { return LabelAt(*rep_, i); }

Labels Labels::FromSortedUnique(absl::Span<const LabelPair> pairs) {
  Labels labels = FromSortedUnique(pairs, 0);
  if (labels.rep_ != nullptr) {
    const_cast<Rep*>(labels.rep_)->hash = XxHash64(labels.rep_->bytes());
  }
  return labels;
}

Labels Labels::FromSortedUnique(absl::Span<const LabelPair> pairs,
                                uint64_t hash) {
  Labels labels;
  if (pairs.empty()) return labels;
  size_t total = 0;
  for (const LabelPair& p : pairs) {
    total += p.first.size() + p.second.size() + 2;
  }
  const size_t n = pairs.size();
  void* memory = ::operator new(sizeof(Rep) + 2 * n * sizeof(uint32_t) + total);
  Rep* rep = new (memory) Rep;
  rep->refs.store(1, std::memory_order_relaxed);
  rep->num_labels = static_cast<uint32_t>(n);
  rep->data_size = static_cast<uint32_t>(total);
  uint32_t* ends = const_cast<uint32_t*>(rep->ends());
  char* data = const_cast<char*>(rep->data());
  size_t at = 0;
  for (size_t i = 0; i < n; ++i) {
    const LabelPair& p = pairs[i];
    memcpy(data + at, p.first.data(), p.first.size());
    at += p.first.size();
    ends[2 * i] = static_cast<uint32_t>(at);
    data[at++] = kSeparator;
    memcpy(data + at, p.second.data(), p.second.size());
    at += p.second.size();
    ends[2 * i + 1] = static_cast<uint32_t>(at);
    data[at++] = kSeparator;
  }
  rep->hash = hash;
  labels.rep_ = rep;
  return labels;
}

Labels Labels::FromUnsorted(std::vector<LabelPair>& pairs) {
  // Stable, so among equal names the input order survives and the last one
  // can win.
  std::stable_sort(
      pairs.begin(), pairs.end(),
      [](const LabelPair& a, const LabelPair& b) { return a.first < b.first; });
  size_t out = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i + 1 < pairs.size() && pairs[i + 1].first == pairs[i].first) continue;
    if (pairs[i].second.empty()) continue;
    pairs[out++] = pairs[i];
  }
  pairs.resize(out);
  return FromSortedUnique(pairs);
}

Labels Labels::FromPairs(std::initializer_list<LabelPair> pairs) {
  std::vector<LabelPair> copy(pairs.begin(), pairs.end());
  return FromUnsorted(copy);
}

Labels Labels::FromPairs(absl::Span<const LabelPair> pairs) {
  std::vector<LabelPair> copy(pairs.begin(), pairs.end());
  return FromUnsorted(copy);
}

Labels Labels::FromPairs(
    const std::vector<std::pair<std::string, std::string>>& pairs) {
  std::vector<LabelPair> views;
  views.reserve(pairs.size());
  for (const auto& p : pairs) views.emplace_back(p.first, p.second);
  return FromUnsorted(views);
}

size_t Labels::Find(absl::string_view name) const {
  size_t lo = 0;
  size_t hi = size();
  while (lo < hi) {
    const size_t mid = lo + (hi - lo) / 2;
    if ((*this)[mid].name < name) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  if (lo < size() && (*this)[lo].name == name) return lo;
  return size();
}

absl::string_view Labels::Get(absl::string_view name) const {
  const size_t i = Find(name);
  return i == size() ? absl::string_view() : (*this)[i].value;
}

bool Labels::Has(absl::string_view name) const { return Find(name) != size(); }

Labels Labels::WithoutMetricName() const {
  if (!Has(kMetricNameLabel)) return *this;
  return LabelsBuilder(*this).Del(kMetricNameLabel).Build();
}

uint64_t Labels::Hash() const {
  return rep_ == nullptr ? kEmptyHash : rep_->hash;
}

std::string Labels::ToString() const {
  std::string out;
  out.reserve(rep_ == nullptr ? 2 : rep_->data_size + 4 * size() + 2);
  out.push_back('{');
  bool first = true;
  for (const Label l : *this) {
    if (!first) out.append(", ");
    first = false;
    AppendLabelName(l.name, &out);
    out.push_back('=');
    AppendGoQuote(l.value, &out);
  }
  out.push_back('}');
  return out;
}

int Labels::Compare(const Labels& a, const Labels& b) {
  if (a.rep_ == b.rep_) return 0;
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const Label la = a[i];
    const Label lb = b[i];
    if (const int c = la.name.compare(lb.name); c != 0) return c < 0 ? -1 : 1;
    if (const int c = la.value.compare(lb.value); c != 0) {
      return c < 0 ? -1 : 1;
    }
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

bool operator==(const Labels& a, const Labels& b) {
  if (a.rep_ == b.rep_) return true;
  if (a.size() != b.size() || a.Hash() != b.Hash()) return false;
  // Both non-empty here. The boundaries are compared too: a value may hold
  // the 0xFF separator byte (label_replace can put any bytes there).
  return a.rep_->bytes() == b.rep_->bytes() &&
         std::equal(a.rep_->ends(), a.rep_->ends() + 2 * a.rep_->num_labels,
                    b.rep_->ends());
}

void LabelsBuilder::Reset(const Labels& base) {
  base_ = base;
  materialized_ = false;
  entries_.clear();
}

void LabelsBuilder::Materialize() {
  if (materialized_) return;
  entries_.clear();
  entries_.reserve(base_.size() + 1);
  for (const Label l : base_) entries_.emplace_back(l.name, l.value);
  materialized_ = true;
}

std::vector<LabelsBuilder::Entry>::iterator LabelsBuilder::LowerBound(
    absl::string_view name) {
  return std::lower_bound(entries_.begin(), entries_.end(), name,
                          [](const Entry& e, absl::string_view n) {
                            return absl::string_view(e.first) < n;
                          });
}

LabelsBuilder& LabelsBuilder::Set(absl::string_view name,
                                  absl::string_view value) {
  if (value.empty()) return Del(name);
  if (Get(name) == value) return *this;
  Materialize();
  auto it = LowerBound(name);
  if (it != entries_.end() && it->first == name) {
    it->second.assign(value.data(), value.size());
  } else {
    entries_.emplace(it, name, value);
  }
  return *this;
}

template <typename Pred>
void LabelsBuilder::FilterBase(Pred keep) {
  absl::InlinedVector<LabelPair, 16> kept;
  for (const Label l : base_) {
    if (keep(l.name)) kept.emplace_back(l.name, l.value);
  }
  base_ = Labels::FromSortedUnique(kept);
}

LabelsBuilder& LabelsBuilder::Del(absl::string_view name) {
  if (!materialized_) {
    if (base_.Has(name)) {
      FilterBase([name](absl::string_view n) { return n != name; });
    }
    return *this;
  }
  auto it = LowerBound(name);
  if (it != entries_.end() && it->first == name) entries_.erase(it);
  return *this;
}

LabelsBuilder& LabelsBuilder::Keep(absl::Span<const absl::string_view> names) {
  const auto kept = [&names](absl::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (!materialized_ &&
      std::all_of(base_.begin(), base_.end(),
                  [&kept](const Label l) { return kept(l.name); })) {
    return *this;
  }
  if (!materialized_) {
    FilterBase(kept);
    return *this;
  }
  entries_.erase(
      std::remove_if(entries_.begin(), entries_.end(),
                     [&kept](const Entry& e) { return !kept(e.first); }),
      entries_.end());
  return *this;
}

absl::string_view LabelsBuilder::Get(absl::string_view name) const {
  if (!materialized_) return base_.Get(name);
  auto it = std::lower_bound(entries_.begin(), entries_.end(), name,
                             [](const Entry& e, absl::string_view n) {
                               return absl::string_view(e.first) < n;
                             });
  if (it != entries_.end() && it->first == name) return it->second;
  return absl::string_view();
}

Labels LabelsBuilder::Build() const {
  if (!materialized_) return base_;
  std::vector<LabelPair> pairs;
  pairs.reserve(entries_.size());
  for (const Entry& e : entries_) pairs.emplace_back(e.first, e.second);
  return Labels::FromSortedUnique(pairs);
}

}  // namespace fraisier
