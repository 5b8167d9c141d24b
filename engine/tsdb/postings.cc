#include "engine/tsdb/postings.h"

#include <algorithm>
#include <utility>

namespace fraisier::tsdb {
namespace {

// Above this length ratio the short list is searched for in the long one;
// below it a linear walk is cheaper because it is branch-predictable and
// streams memory, while each galloping probe is a likely cache miss.
constexpr size_t kGallopRatio = 16;

bool ShouldGallop(size_t short_size, size_t long_size) {
  return long_size / kGallopRatio > short_size;
}

// Calls on_common(i, j) for every a[i] == b[j] until it returns false.
// Skewed sizes leapfrog: whichever side is behind gallops to the other's
// current element, so runs of either list that the other skips (typical
// when postings come in blocks of consecutive ids) cost O(log run) rather
// than one step per element. Similar sizes walk linearly.
template <typename OnCommon>
void ForEachCommon(PostingsSpan a, PostingsSpan b, OnCommon on_common) {
  size_t i = 0, j = 0;
  if (ShouldGallop(a.size(), b.size()) || ShouldGallop(b.size(), a.size())) {
    while (i < a.size() && j < b.size()) {
      if (a[i] < b[j]) {
        i = GallopLowerBound(a, i, b[j]);
      } else if (b[j] < a[i]) {
        j = GallopLowerBound(b, j, a[i]);
      } else {
        if (!on_common(i, j)) return;
        ++i;
        ++j;
      }
    }
    return;
  }
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      if (!on_common(i, j)) return;
      ++i;
      ++j;
    }
  }
}

// acc := acc ∩ b. The write index never passes the read index, so the
// result can be built in acc's own buffer.
void IntersectInPlace(PostingsSpan b, std::vector<SeriesId>* acc) {
  std::vector<SeriesId>& a = *acc;
  size_t out = 0;
  ForEachCommon(a, b, [&a, &out](size_t i, size_t) {
    a[out++] = a[i];
    return true;
  });
  a.resize(out);
}

// Union of two lists.
void MergeTwo(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->reserve(a.size() + b.size());
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      out->push_back(a[i++]);
    } else if (b[j] < a[i]) {
      out->push_back(b[j++]);
    } else {
      out->push_back(a[i]);
      ++i;
      ++j;
    }
  }
  out->insert(out->end(), a.begin() + i, a.end());
  out->insert(out->end(), b.begin() + j, b.end());
}

// Union of three or more lists with a binary min-heap of cursors: each
// output element costs O(log k) comparisons and no allocation.
void MergeHeap(absl::Span<const PostingsSpan> lists,
               std::vector<SeriesId>* out) {
  struct Cursor {
    const SeriesId* pos;
    const SeriesId* end;
  };
  std::vector<Cursor> heap;
  heap.reserve(lists.size());
  size_t total = 0;
  for (const PostingsSpan& l : lists) {
    if (l.empty()) continue;
    heap.push_back({l.data(), l.data() + l.size()});
    total += l.size();
  }
  out->reserve(total);
  const auto greater = [](const Cursor& x, const Cursor& y) {
    return *x.pos > *y.pos;
  };
  std::make_heap(heap.begin(), heap.end(), greater);
  // Restores the heap after the top's head grew (or the top was replaced).
  const auto sift_down = [&heap](size_t i) {
    const size_t n = heap.size();
    const Cursor c = heap[i];
    while (true) {
      size_t child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && *heap[child + 1].pos < *heap[child].pos) ++child;
      if (*heap[child].pos >= *c.pos) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = c;
  };
  while (!heap.empty()) {
    Cursor& top = heap.front();
    const SeriesId v = *top.pos;
    if (out->empty() || out->back() != v) out->push_back(v);
    if (++top.pos == top.end) {
      top = heap.back();
      heap.pop_back();
      if (heap.empty()) break;
    }
    sift_down(0);
  }
}

}  // namespace

size_t GallopLowerBound(PostingsSpan list, size_t from, SeriesId value) {
  const size_t n = list.size();
  if (from >= n || list[from] >= value) return from;
  // Invariant: list[lo] < value; the answer lies in (lo, hi].
  size_t lo = from;
  size_t step = 1;
  size_t hi = from + 1;
  while (hi < n && list[hi] < value) {
    lo = hi;
    step <<= 1;
    hi = lo + step;
  }
  if (hi > n) hi = n;
  return std::lower_bound(list.begin() + lo + 1, list.begin() + hi, value) -
         list.begin();
}

void Intersect(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->clear();
  if (a.size() > b.size()) std::swap(a, b);
  if (a.empty()) return;
  out->assign(a.begin(), a.end());
  IntersectInPlace(b, out);
}

void IntersectAll(absl::Span<const PostingsSpan> lists,
                  std::vector<SeriesId>* out) {
  out->clear();
  if (lists.empty()) return;
  // Order by size so the running result starts (and stays) small.
  std::vector<PostingsSpan> sorted(lists.begin(), lists.end());
  std::sort(sorted.begin(), sorted.end(),
            [](PostingsSpan x, PostingsSpan y) { return x.size() < y.size(); });
  out->assign(sorted[0].begin(), sorted[0].end());
  for (size_t i = 1; i < sorted.size() && !out->empty(); ++i) {
    IntersectInPlace(sorted[i], out);
  }
}

void Merge(absl::Span<const PostingsSpan> lists, std::vector<SeriesId>* out) {
  out->clear();
  switch (lists.size()) {
    case 0:
      return;
    case 1:
      out->assign(lists[0].begin(), lists[0].end());
      return;
    case 2:
      MergeTwo(lists[0], lists[1], out);
      return;
    default:
      MergeHeap(lists, out);
  }
}

void Subtract(PostingsSpan a, PostingsSpan b, std::vector<SeriesId>* out) {
  out->clear();
  if (b.empty() || a.empty()) {
    out->assign(a.begin(), a.end());
    return;
  }
  if (ShouldGallop(a.size(), b.size())) {
    size_t j = 0;
    for (SeriesId v : a) {
      j = GallopLowerBound(b, j, v);
      if (j == b.size() || b[j] != v) out->push_back(v);
    }
    return;
  }
  out->reserve(a.size());
  if (ShouldGallop(b.size(), a.size())) {
    // Few removals: copy the runs of `a` between them wholesale.
    size_t i = 0;
    for (SeriesId v : b) {
      const size_t k = GallopLowerBound(a, i, v);
      out->insert(out->end(), a.begin() + i, a.begin() + k);
      i = k;
      if (i == a.size()) break;
      if (a[i] == v) ++i;
    }
    out->insert(out->end(), a.begin() + i, a.end());
    return;
  }
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] < b[j]) {
      out->push_back(a[i++]);
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++i;
      ++j;
    }
  }
  out->insert(out->end(), a.begin() + i, a.end());
}

bool Intersects(PostingsSpan a, PostingsSpan b) {
  if (a.empty() || b.empty() || a.back() < b.front() || b.back() < a.front()) {
    return false;
  }
  bool found = false;
  ForEachCommon(a, b, [&found](size_t, size_t) {
    found = true;
    return false;
  });
  return found;
}

void MarkCommon(PostingsSpan base, PostingsSpan other,
                std::vector<uint8_t>* marks) {
  if (base.empty() || other.empty() || base.back() < other.front() ||
      other.back() < base.front()) {
    return;
  }
  std::vector<uint8_t>& m = *marks;
  ForEachCommon(base, other, [&m](size_t i, size_t) {
    m[i] = 1;
    return true;
  });
}

void FilterByMarks(absl::Span<const uint8_t> marks, uint8_t drop_if,
                   std::vector<SeriesId>* list) {
  std::vector<SeriesId>& l = *list;
  size_t out = 0;
  for (size_t i = 0; i < l.size(); ++i) {
    if (marks[i] != drop_if) l[out++] = l[i];
  }
  l.resize(out);
}

}  // namespace fraisier::tsdb
