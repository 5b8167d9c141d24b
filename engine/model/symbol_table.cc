#include "engine/model/symbol_table.h"

#include <cstring>
#include <mutex>

namespace fraisier {
namespace {

// Large enough to amortise allocation over thousands of typical label
// strings, small enough that a near-empty table stays cheap.
constexpr size_t kBlockSize = size_t{64} << 10;
// Longer strings get a block of their own so they do not waste the tail of
// the current block.
constexpr size_t kLargeString = kBlockSize / 4;

}  // namespace

absl::string_view SymbolTable::Store(absl::string_view s) {
  if (s.empty()) return absl::string_view();
  if (s.size() >= kLargeString) {
    blocks_.push_back(std::make_unique<char[]>(s.size()));
    block_bytes_ += s.size();
    std::memcpy(blocks_.back().get(), s.data(), s.size());
    return absl::string_view(blocks_.back().get(), s.size());
  }
  if (s.size() > block_left_) {
    blocks_.push_back(std::make_unique<char[]>(kBlockSize));
    block_bytes_ += kBlockSize;
    block_pos_ = blocks_.back().get();
    block_left_ = kBlockSize;
  }
  char* dst = block_pos_;
  std::memcpy(dst, s.data(), s.size());
  block_pos_ += s.size();
  block_left_ -= s.size();
  return absl::string_view(dst, s.size());
}

uint32_t SymbolTable::Intern(absl::string_view s) {
  {
    std::shared_lock<std::shared_mutex> lock(mu_);
    auto it = refs_.find(s);
    if (it != refs_.end()) return it->second;
  }
  std::unique_lock<std::shared_mutex> lock(mu_);
  // Another thread may have added `s` between the two locks.
  auto it = refs_.find(s);
  if (it != refs_.end()) return it->second;
  // 2^32 distinct strings would need well over 4 GiB of keys; the TSDB caps
  // series long before, so overflow here is a programming error.
  const uint32_t ref = count_.load(std::memory_order_relaxed);
  const absl::string_view stored = Store(s);
  absl::string_view* page = pages_[ref >> kPageBits].load();
  if (page == nullptr) {
    page = new absl::string_view[kPageSize];
    pages_[ref >> kPageBits].store(page, std::memory_order_release);
  }
  page[ref & (kPageSize - 1)] = stored;
  count_.store(ref + 1, std::memory_order_release);
  refs_.emplace(stored, ref);
  return ref;
}

std::optional<uint32_t> SymbolTable::Find(absl::string_view s) const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  auto it = refs_.find(s);
  if (it == refs_.end()) return std::nullopt;
  return it->second;
}

absl::string_view SymbolTable::Lookup(uint32_t ref) const {
  // Lock-free: the hot path of every label comparison in the head.
  if (ref >= count_.load(std::memory_order_acquire)) {
    return absl::string_view();
  }
  return pages_[ref >> kPageBits].load(
      std::memory_order_acquire)[ref & (kPageSize - 1)];
}

SymbolTable::~SymbolTable() {
  for (uint32_t i = 0; i < kNumPages; ++i) delete[] pages_[i].load();
}

size_t SymbolTable::size() const {
  return count_.load(std::memory_order_acquire);
}

size_t SymbolTable::MemoryBytes() const {
  std::shared_lock<std::shared_mutex> lock(mu_);
  // flat_hash_map stores one control byte plus one slot per bucket.
  const size_t map_bytes =
      refs_.capacity() * (sizeof(std::pair<absl::string_view, uint32_t>) + 1);
  return block_bytes_ + map_bytes +
         ((count_.load() >> kPageBits) + 1) * kPageSize *
             sizeof(absl::string_view) +
         blocks_.capacity() * sizeof(std::unique_ptr<char[]>);
}

}  // namespace fraisier
