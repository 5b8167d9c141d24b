// Set operations on postings: sorted lists of distinct uint32 series ids.
//
// Every function takes its inputs as spans and writes into a caller-owned
// vector, which is cleared first and whose capacity is reused, so a query
// that runs many operations allocates only when a result outgrows its
// buffer. Inputs must be sorted ascending without duplicates; outputs are
// too. An output vector must not alias any input span.
//
// Sizes decide the algorithm: lists of similar length are walked together
// (linear), and when one is much shorter its elements are looked up in the
// longer one by galloping (exponential then binary search from the previous
// position), which costs O(n log(m/n)) instead of O(n + m).
#ifndef ENGINE_TSDB_POSTINGS_H_
#define ENGINE_TSDB_POSTINGS_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "absl/types/span.h"

namespace fraisier::tsdb {

using SeriesId = uint32_t;
using PostingsSpan = absl::Span<const SeriesId>;

// The first index i >= `from` with list[i] >= value, or list.size().
// Requires from <= list.size(). Probes from + 1, from + 2, from + 4, ...
// then binary-searches, so nearby targets are found in few steps.
size_t GallopLowerBound(PostingsSpan list, size_t from, SeriesId value);

// a ∩ b.
void Intersect(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out);

// ∩ of all lists; empty for no lists. Intersects from the shortest list
// upwards and stops as soon as the running result is empty.
void IntersectAll(absl::Span<const PostingsSpan> lists,
                  std::vector<SeriesId>* out);

// ∪ of all lists; empty for no lists. Lists may overlap.
void Merge(absl::Span<const PostingsSpan> lists, std::vector<SeriesId>* out);

// a \ b.
void Subtract(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out);

// Whether a ∩ b is non-empty; stops at the first common element.
bool Intersects(PostingsSpan a, PostingsSpan b);

// For every i with base[i] in `other`, sets (*marks)[i] = 1. Requires
// marks->size() == base.size(). Lets a caller intersect or subtract one base
// list with the union of many lists without materializing that union: mark
// with each list, then keep the marked (or unmarked) elements.
void MarkCommon(PostingsSpan base, PostingsSpan other,
                std::vector<uint8_t>* marks);

// Removes from `*list` the elements whose mark is `drop_if`, in place.
// Requires marks.size() == list->size().
void FilterByMarks(absl::Span<const uint8_t> marks, uint8_t drop_if,
                   std::vector<SeriesId>* list);

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_POSTINGS_H_
