// The head's in-memory inverted index: label name -> label value -> postings.
#ifndef ENGINE_TSDB_INDEX_H_
#define ENGINE_TSDB_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/postings.h"
#include "engine/tsdb/postings_list.h"

namespace fraisier::tsdb {
namespace index_internal {

// Counts the bytes a container allocates, so MemoryBytes() reports the
// btree nodes exactly instead of estimating their fill.
template <typename T>
class CountingAllocator {
 public:
  using value_type = T;

  explicit CountingAllocator(size_t* bytes) : bytes_(bytes) {}
  template <typename U>
  CountingAllocator(const CountingAllocator<U>& other)  // NOLINT: rebinding
      : bytes_(other.bytes()) {}

  T* allocate(size_t n) {
    *bytes_ += n * sizeof(T);
    return std::allocator<T>().allocate(n);
  }
  void deallocate(T* p, size_t n) {
    *bytes_ -= n * sizeof(T);
    std::allocator<T>().deallocate(p, n);
  }
  size_t* bytes() const { return bytes_; }

  template <typename U>
  friend bool operator==(const CountingAllocator& a,
                         const CountingAllocator<U>& b) {
    return a.bytes() == b.bytes();
  }
  template <typename U>
  friend bool operator!=(const CountingAllocator& a,
                         const CountingAllocator<U>& b) {
    return a.bytes() != b.bytes();
  }

 private:
  size_t* bytes_;
};

// Append-only storage for label names and values: each distinct string is
// stored once and keyed by views into these blocks, which never move.
//
// Thread-safety: none; the owning index synchronizes.
class StringArena {
 public:
  absl::string_view Store(absl::string_view s);
  size_t allocated_bytes() const { return allocated_; }
  void Swap(StringArena& other) noexcept;

 private:
  static constexpr size_t kBlockBytes = 64 << 10;

  std::vector<std::unique_ptr<char[]>> blocks_;
  char* pos_ = nullptr;
  size_t left_ = 0;
  size_t allocated_ = 0;
};

}  // namespace index_internal

// MemIndex maps every label pair of the head's live series to the sorted ids
// of the series that carry it, and answers label matchers with Prometheus's
// PostingsForMatchers semantics.
//
// Thread-safety: all methods may be called concurrently. Queries take a
// shared lock for their whole run and return copies (they never hand out
// views into the index); Add and Remove take the lock exclusively, and
// queries arriving while a writer waits queue behind it (glibc's
// std::shared_mutex prefers readers, which let a steady stream of queries
// starve appends: 6000 adds took 5 s against two query threads). One lock
// rather than stripes by label name: Add touches every name of a series and
// a query several names, so stripes would be taken many at a time for little
// gain; Add holds the lock for ~0.5 us per series (bench, 9 labels).
//
// Invariants (under the lock):
//  - all_ holds every live id; every id in a value's postings is in all_.
//  - Each series contributes its id to exactly one value per label name it
//    has; postings are sorted and distinct.
//  - No name maps to an empty value map and no value to an empty list (Remove
//    erases them), so LabelNames/LabelValues need no emptiness checks.
//  - Names and values are views into arena_; live_string_bytes_ counts the
//    bytes of those still referenced, so the arena can be compacted once
//    garbage collection leaves it mostly dead.
class MemIndex {
 public:
  MemIndex();
  MemIndex(const MemIndex&) = delete;
  MemIndex& operator=(const MemIndex&) = delete;

  // Adds series `id` with `labels`. Ids are expected in increasing order
  // (appends); an older id is inserted in place. Adding an id that is
  // already present adds its (new) pairs and is otherwise a no-op; the
  // caller must not reuse a live id for different labels.
  void Add(SeriesId id, const Labels& labels);

  // Removes the series `sorted_ids` (ascending, distinct) from every
  // postings list, e.g. after head garbage collection. Ids not present are
  // ignored. Lists that lose ids are trimmed to fit; emptied values and names
  // disappear. Cost: one pass over the lists, touching only those with ids
  // in range of the removed ones.
  void Remove(absl::Span<const SeriesId> sorted_ids);

  // The ids of the series whose labels satisfy every matcher, sorted, with
  // Prometheus's semantics: an absent label matches as "", so {x=""} selects
  // series without x and {x!="a"} includes them. No matchers select nothing
  // (as PostingsForMatchers).
  std::vector<SeriesId> Select(absl::Span<const Matcher> matchers) const;

  // Sorted distinct label names of the series matching `matchers`, or of all
  // series when `matchers` is empty.
  std::vector<std::string> LabelNames(
      absl::Span<const Matcher> matchers = {}) const;

  // Sorted distinct values of `name` over the series matching `matchers`, or
  // over all series when `matchers` is empty.
  std::vector<std::string> LabelValues(
      absl::string_view name, absl::Span<const Matcher> matchers = {}) const;

  // Number of live series.
  size_t NumSeries() const;

  // Heap and inline bytes held: postings blocks, btree nodes, string arena
  // and the object itself. Excludes malloc's own per-block overhead.
  size_t MemoryBytes() const;

 private:
  template <typename T>
  using Alloc = index_internal::CountingAllocator<T>;
  using ValueMap =
      absl::btree_map<absl::string_view, PostingsList, std::less<>,
                      Alloc<std::pair<const absl::string_view, PostingsList>>>;
  using NameMap =
      absl::btree_map<absl::string_view, ValueMap, std::less<>,
                      Alloc<std::pair<const absl::string_view, ValueMap>>>;

  // One matcher's contribution to a query: the postings of the values it
  // keeps (intersect) or rejects (subtract). Defined in index_select.cc.
  struct Plan;

  std::vector<SeriesId> SelectLocked(absl::Span<const Matcher> matchers) const;
  // Resolves `plan` into its lists; defined in index_select.cc.
  void ResolvePlan(Plan* plan) const;
  const ValueMap* FindValues(absl::string_view name) const;
  // Copies strings into a fresh arena when most of the old one is dead.
  void MaybeCompactArena();

  // The reader side of mu_, taken after passing writer_gate_.
  std::shared_lock<std::shared_mutex> LockShared() const;

  // Held by a writer while it waits for and holds mu_; readers pass through
  // it before locking mu_, so they cannot overtake a waiting writer.
  mutable std::mutex writer_gate_;
  mutable std::shared_mutex mu_;
  size_t btree_bytes_ = 0;  // Updated by the maps' allocators.
  NameMap names_;
  PostingsList all_;
  index_internal::StringArena arena_;
  size_t live_string_bytes_ = 0;
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_INDEX_H_
