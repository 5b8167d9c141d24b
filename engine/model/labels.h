// Label sets: the identity of a series.
#ifndef ENGINE_MODEL_LABELS_H_
#define ENGINE_MODEL_LABELS_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace fraisier {

inline constexpr absl::string_view kMetricNameLabel = "__name__";

// A view of one label; it points into the Labels (or builder) it came from
// and is valid as long as that object's representation lives.
struct Label {
  absl::string_view name;
  absl::string_view value;

  friend bool operator==(const Label& a, const Label& b) {
    return a.name == b.name && a.value == b.value;
  }
  friend bool operator!=(const Label& a, const Label& b) { return !(a == b); }
};

using LabelPair = std::pair<absl::string_view, absl::string_view>;

// An immutable, sorted set of labels.
//
// Thread-safety: immutable after construction, so any number of threads may
// read a Labels and its copies concurrently.
//
// Invariants: labels are sorted by name (byte order), names are unique and no
// value is empty (Prometheus treats an empty value as an absent label). The
// representation is shared by copies; it holds every label in one buffer laid
// out as Prometheus hashes it (name 0xFF value 0xFF ...), so the hash is
// computed once at construction and equals Prometheus's labels.Hash().
class Labels {
 private:
  struct Rep;

 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using iterator_concept = std::forward_iterator_tag;
    using value_type = Label;
    using difference_type = std::ptrdiff_t;
    using reference = Label;
    using pointer = void;

    Iterator() = default;
    Label operator*() const { return LabelAt(*rep_, index_); }
    Iterator& operator++() {
      ++index_;
      return *this;
    }
    Iterator operator++(int) {
      Iterator copy = *this;
      ++index_;
      return copy;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) {
      return a.index_ == b.index_;
    }
    friend bool operator!=(const Iterator& a, const Iterator& b) {
      return !(a == b);
    }

   private:
    friend class Labels;
    Iterator(const Rep* rep, size_t index) : rep_(rep), index_(index) {}
    // The rep rather than the Labels, so iterators survive moving the Labels.
    const Rep* rep_ = nullptr;
    size_t index_ = 0;
  };

  Labels() = default;
  Labels(const Labels& other) : rep_(other.rep_) { Ref(rep_); }
  Labels(Labels&& other) noexcept : rep_(other.rep_) { other.rep_ = nullptr; }
  Labels& operator=(const Labels& other) {
    Ref(other.rep_);
    Unref(rep_);
    rep_ = other.rep_;
    return *this;
  }
  Labels& operator=(Labels&& other) noexcept {
    if (this != &other) {
      Unref(rep_);
      rep_ = other.rep_;
      other.rep_ = nullptr;
    }
    return *this;
  }
  ~Labels() { Unref(rep_); }

  // Sorts by name; for a repeated name the last pair wins, and a label whose
  // (winning) value is empty is dropped, matching LabelsBuilder::Set.
  static Labels FromPairs(std::initializer_list<LabelPair> pairs);
  static Labels FromPairs(absl::Span<const LabelPair> pairs);
  static Labels FromPairs(
      const std::vector<std::pair<std::string, std::string>>& pairs);

  // Requires `pairs` sorted by name, names unique, values non-empty (as a
  // store's series already are); skips the sorting FromPairs does.
  static Labels FromSortedUnique(absl::Span<const LabelPair> pairs);
  // The same with the hash already known: `hash` must be Hash() of these
  // very labels (a store remembers it per series), which skips hashing.
  static Labels FromSortedUnique(absl::Span<const LabelPair> pairs,
                                 uint64_t hash);

  size_t size() const { return rep_ == nullptr ? 0 : rep_->num_labels; }
  bool empty() const { return size() == 0; }
  // Requires i < size().
  Label operator[](size_t i) const;
  Iterator begin() const { return Iterator(rep_, 0); }
  Iterator end() const { return Iterator(rep_, size()); }

  // The value of `name`, or "" when absent.
  absl::string_view Get(absl::string_view name) const;
  bool Has(absl::string_view name) const;
  absl::string_view MetricName() const { return Get(kMetricNameLabel); }
  Labels WithoutMetricName() const;

  uint64_t Hash() const;

  // Prometheus's Labels.String(): {__name__="up", job="x"}, values Go-quoted,
  // names quoted only when they are not legacy names.
  std::string ToString() const;

  // Sign of the comparison, as Prometheus's labels.Compare: labels pairwise by
  // name then value, and on a common prefix the shorter set first.
  // Returns -1, 0 or 1.
  static int Compare(const Labels& a, const Labels& b);

  friend bool operator==(const Labels& a, const Labels& b);
  friend bool operator!=(const Labels& a, const Labels& b) { return !(a == b); }
  friend bool operator<(const Labels& a, const Labels& b) {
    return Compare(a, b) < 0;
  }

  template <typename H>
  friend H AbslHashValue(H h, const Labels& labels) {
    return H::combine(std::move(h), labels.Hash());
  }

 private:
  friend class LabelsBuilder;

  // One allocation per distinct label set: this header, then
  // uint32_t ends[2 * num_labels] and char data[data_size]. ends[2i] is the
  // end of name i in data, ends[2i+1] the end of value i; each is followed
  // by one 0xFF separator. Copies of a Labels share it by reference count.
  struct Rep {
    mutable std::atomic<uint32_t> refs;
    uint32_t num_labels;
    uint32_t data_size;
    uint64_t hash;

    const uint32_t* ends() const {
      return reinterpret_cast<const uint32_t*>(this + 1);
    }
    const char* data() const {
      return reinterpret_cast<const char*>(ends() + 2 * num_labels);
    }
    absl::string_view bytes() const { return {data(), data_size}; }
  };

  static void Ref(const Rep* rep) {
    if (rep != nullptr) rep->refs.fetch_add(1, std::memory_order_relaxed);
  }
  static void Unref(const Rep* rep) {
    if (rep != nullptr &&
        rep->refs.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      Free(rep);
    }
  }
  static void Free(const Rep* rep);

  static Label LabelAt(const Rep& rep, size_t i);
  // Sorts and deduplicates `pairs` in place, then builds.
  static Labels FromUnsorted(std::vector<LabelPair>& pairs);
  // Index of `name`, or size() when absent.
  size_t Find(absl::string_view name) const;

  const Rep* rep_ = nullptr;
};

// Appends a label name as Prometheus prints it in label sets and matchers:
// bare when it is a legacy name ([a-zA-Z_][a-zA-Z0-9_]*), Go-quoted otherwise
// (Prometheus 3 with UTF-8 names).
void AppendLabelName(absl::string_view name, std::string* out);

// Accumulates changes to a label set; Build() produces the result.
//
// Thread-safety: not thread-safe; use one builder per thread.
//
// Invariants: until the first effective change the builder only holds the
// base Labels, so the common "nothing to change" path neither copies strings
// nor allocates, and Build() returns the base itself (sharing its rep). After
// that, entries_ holds the current set: sorted by name, names unique, values
// non-empty.
class LabelsBuilder {
 public:
  LabelsBuilder() = default;
  explicit LabelsBuilder(const Labels& base) { Reset(base); }

  // Starts over from `base`.
  void Reset(const Labels& base);

  // Sets `name` to `value`; an empty value deletes the label (Prometheus).
  LabelsBuilder& Set(absl::string_view name, absl::string_view value);
  LabelsBuilder& Del(absl::string_view name);
  // Removes every label whose name is not in `names`.
  LabelsBuilder& Keep(absl::Span<const absl::string_view> names);
  LabelsBuilder& Keep(const std::vector<std::string>& names) {
    std::vector<absl::string_view> views(names.begin(), names.end());
    return Keep(absl::MakeConstSpan(views));
  }
  LabelsBuilder& Keep(std::initializer_list<absl::string_view> names) {
    return Keep(
        absl::Span<const absl::string_view>(names.begin(), names.size()));
  }

  // The current value of `name`, or "" when absent. The view is valid until
  // the next modification of the builder.
  absl::string_view Get(absl::string_view name) const;

  Labels Build() const;

 private:
  using Entry = std::pair<std::string, std::string>;
  // Copies base_ into entries_ before the first change.
  void Materialize();
  // Before materializing: replaces base_ by its labels for which `keep`
  // is true, in one allocation.
  template <typename Pred>
  void FilterBase(Pred keep);
  std::vector<Entry>::iterator LowerBound(absl::string_view name);

  Labels base_;
  bool materialized_ = false;
  std::vector<Entry> entries_;
};

}  // namespace fraisier

#endif  // ENGINE_MODEL_LABELS_H_
