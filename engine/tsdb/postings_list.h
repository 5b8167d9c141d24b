// The storage of one postings list inside the in-memory index.
#ifndef ENGINE_TSDB_POSTINGS_LIST_H_
#define ENGINE_TSDB_POSTINGS_LIST_H_

#include <cstddef>
#include <cstdint>

#include "engine/tsdb/postings.h"

namespace fraisier::tsdb {

// A sorted set of series ids in 16 bytes plus, beyond two ids, one heap
// block grown by 4 ids while small and then by 1/8.
//
// Why not std::vector: the index holds one list per distinct label pair and
// the lists hold ~36 of the ~45 bytes per series the index may cost. A vector
// is 24 bytes and doubles (25% slack on average); this is 16 bytes, stores
// the one or two ids of a high-cardinality value inline without a heap block,
// grows modestly with realloc, which for large blocks remaps pages instead
// of copying, and counts malloc's rounding as capacity.
//
// Thread-safety: none; the owning index synchronizes.
//
// Invariants: ids are sorted ascending and distinct; capacity_ == 0 means
// the ids (at most 2) live in inline_, otherwise in heap_ with room for
// capacity_ ids (malloc_usable_size of the block) and size_ <= capacity_.
class PostingsList {
 public:
  PostingsList() = default;
  PostingsList(const PostingsList&) = delete;
  PostingsList& operator=(const PostingsList&) = delete;
  PostingsList(PostingsList&& other) noexcept;
  PostingsList& operator=(PostingsList&& other) noexcept;
  ~PostingsList();

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  PostingsSpan span() const { return PostingsSpan(data(), size_); }

  // Adds `id`: an append when it is the largest (the common case, since the
  // head hands out increasing ids), an insertion otherwise. Returns false if
  // `id` was already present.
  bool Insert(SeriesId id);

  // Replaces the contents with `ids` (sorted, distinct; must not point into
  // this list), trimming capacity to fit, so that a list that shrank in
  // garbage collection gives its memory back.
  void Assign(PostingsSpan ids);

  // Usable heap bytes owned (0 for inline lists); malloc adds 8 bytes of
  // header per block.
  size_t HeapBytes() const { return size_t{capacity_} * sizeof(SeriesId); }

 private:
  static constexpr uint32_t kInlineIds = 2;

  const SeriesId* data() const { return capacity_ == 0 ? inline_ : heap_; }
  SeriesId* data() { return capacity_ == 0 ? inline_ : heap_; }
  // Makes room for at least one more id.
  void Grow();
  void Free();

  uint32_t size_ = 0;
  uint32_t capacity_ = 0;
  union {
    SeriesId* heap_;
    SeriesId inline_[kInlineIds] = {0, 0};
  };
};

}  // namespace fraisier::tsdb

#endif  // ENGINE_TSDB_POSTINGS_LIST_H_
