#include "engine/tsdb/postings_list.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace fraisier::tsdb {

PostingsList::PostingsList(PostingsList&& other) noexcept
    : size_(other.size_), capacity_(other.capacity_) {
  // The union is trivially copyable: copying 8 bytes moves either form.
  std::memcpy(inline_, other.inline_, sizeof(inline_));
  other.size_ = 0;
  other.capacity_ = 0;
}

PostingsList& PostingsList::operator=(PostingsList&& other) noexcept {
  if (this != &other) {
    Free();
    size_ = other.size_;
    capacity_ = other.capacity_;
    std::memcpy(inline_, other.inline_, sizeof(inline_));
    other.size_ = 0;
    other.capacity_ = 0;
  }
  return *this;
}

PostingsList::~PostingsList() { Free(); }

void PostingsList::Free() {
  if (capacity_ != 0) std::free(heap_);
  capacity_ = 0;
  size_ = 0;
}

namespace {

// Malloc rounds requests up (glibc: to 16-byte chunks with an 8-byte
// header); claiming the rounding as capacity makes it usable, not waste.
uint32_t UsableIds(void* block) {
  return static_cast<uint32_t>(malloc_usable_size(block) / sizeof(SeriesId));
}

}  // namespace

void PostingsList::Grow() {
  // Small lists grow by 4 ids (a high-cardinality value's list of ~10 ids
  // would waste most of a doubled block); beyond 32 ids by 1/8, which keeps
  // the average slack near 6% while realloc extends or remaps in place.
  const uint32_t new_capacity =
      capacity_ < 32 ? capacity_ + 4 : capacity_ + capacity_ / 8;
  if (capacity_ == 0) {
    auto* block =
        static_cast<SeriesId*>(std::malloc(new_capacity * sizeof(SeriesId)));
    if (block == nullptr) std::abort();  // As operator new without exceptions.
    std::memcpy(block, inline_, size_ * sizeof(SeriesId));
    heap_ = block;
  } else {
    auto* block = static_cast<SeriesId*>(
        std::realloc(heap_, new_capacity * sizeof(SeriesId)));
    if (block == nullptr) std::abort();
    heap_ = block;
  }
  capacity_ = UsableIds(heap_);
}

bool PostingsList::Insert(SeriesId id) {
  SeriesId* ids = data();
  if (size_ != 0 && ids[size_ - 1] >= id) {
    // Out of order: rare, so a memmove is fine.
    SeriesId* pos = std::lower_bound(ids, ids + size_, id);
    if (*pos == id) return false;
    const size_t index = pos - ids;
    if (size_ == (capacity_ == 0 ? kInlineIds : capacity_)) Grow();
    ids = data();
    std::memmove(ids + index + 1, ids + index,
                 (size_ - index) * sizeof(SeriesId));
    ids[index] = id;
    ++size_;
    return true;
  }
  if (size_ == (capacity_ == 0 ? kInlineIds : capacity_)) Grow();
  data()[size_++] = id;
  return true;
}

void PostingsList::Assign(PostingsSpan ids) {
  Free();
  if (ids.size() <= kInlineIds) {
    std::copy(ids.begin(), ids.end(), inline_);
  } else {
    auto* block =
        static_cast<SeriesId*>(std::malloc(ids.size() * sizeof(SeriesId)));
    if (block == nullptr) std::abort();
    std::memcpy(block, ids.data(), ids.size() * sizeof(SeriesId));
    heap_ = block;
    capacity_ = UsableIds(block);
  }
  size_ = static_cast<uint32_t>(ids.size());
}

}  // namespace fraisier::tsdb
