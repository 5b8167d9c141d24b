#include "engine/tsdb/head_series.h"

#include <algorithm>
#include <utility>

#include "absl/container/inlined_vector.h"

namespace fraisier::tsdb {

std::unique_ptr<uint32_t[]> InternLabels(const Labels& labels,
                                         SymbolTable& symbols) {
  auto out = std::make_unique<uint32_t[]>(labels.size() * 2);
  size_t i = 0;
  for (Label l : labels) {
    out[i++] = symbols.Intern(l.name);
    out[i++] = symbols.Intern(l.value);
  }
  return out;
}

Labels SeriesLabels(const MemSeries& s, const SymbolTable& symbols) {
  absl::InlinedVector<LabelPair, 16> pairs;
  pairs.reserve(s.num_labels);
  for (size_t i = 0; i < s.num_labels; ++i) {
    pairs.push_back({symbols.Lookup(s.symbols[2 * i]),
                     symbols.Lookup(s.symbols[2 * i + 1])});
  }
  // Interned from a Labels, so already sorted and unique, and s.hash is
  // that Labels' hash.
  return Labels::FromSortedUnique(pairs, s.hash);
}

bool SeriesHasLabels(const MemSeries& s, const Labels& labels,
                     const SymbolTable& symbols) {
  if (labels.size() != s.num_labels) return false;
  size_t i = 0;
  for (Label l : labels) {
    if (symbols.Lookup(s.symbols[i]) != l.name ||
        symbols.Lookup(s.symbols[i + 1]) != l.value) {
      return false;
    }
    i += 2;
  }
  return true;
}

bool SeriesHasLabelViews(const MemSeries& s, absl::Span<const Label> labels,
                         const SymbolTable& symbols) {
  if (labels.size() != s.num_labels) return false;
  for (size_t i = 0; i < labels.size(); ++i) {
    if (symbols.Lookup(s.symbols[2 * i]) != labels[i].name ||
        symbols.Lookup(s.symbols[2 * i + 1]) != labels[i].value) {
      return false;
    }
  }
  return true;
}

SeriesTable::SeriesTable()
    : blocks_(std::make_unique<std::atomic<std::atomic<MemSeries*>*>[]>(
          kNumBlocks)),
      stripes_(std::make_unique<Stripe[]>(kStripes)) {
  for (uint32_t i = 0; i < kNumBlocks; ++i) {
    blocks_[i].store(nullptr, std::memory_order_relaxed);
  }
}

SeriesTable::~SeriesTable() {
  for (uint32_t i = 0; i < kNumBlocks; ++i) {
    delete[] blocks_[i].load(std::memory_order_relaxed);
  }
}

std::atomic<MemSeries*>* SeriesTable::EnsureBlock(uint32_t id) {
  std::atomic<MemSeries*>* block =
      blocks_[id >> kBlockBits].load(std::memory_order_acquire);
  if (block != nullptr) return block;
  std::lock_guard<std::mutex> lock(blocks_mu_);
  block = blocks_[id >> kBlockBits].load(std::memory_order_acquire);
  if (block == nullptr) {
    block = new std::atomic<MemSeries*>[kBlockSize];
    for (uint32_t i = 0; i < kBlockSize; ++i) {
      block[i].store(nullptr, std::memory_order_relaxed);
    }
    blocks_[id >> kBlockBits].store(block, std::memory_order_release);
  }
  return block;
}

void SeriesTable::Put(uint32_t id, MemSeries* s) {
  EnsureBlock(id)[id & (kBlockSize - 1)].store(s, std::memory_order_release);
}

void SeriesTable::PutSeqCst(uint32_t id, MemSeries* s) {
  EnsureBlock(id)[id & (kBlockSize - 1)].store(s, std::memory_order_seq_cst);
}

MemSeries* SeriesTable::FindByHash(
    uint64_t hash, absl::FunctionRef<bool(const MemSeries&)> matches) {
  Stripe& stripe = stripes_[hash % kStripes];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto it = stripe.first.find(hash);
  if (it == stripe.first.end()) return nullptr;
  if (matches(*it->second)) return it->second;
  auto more = stripe.more.find(hash);
  if (more == stripe.more.end()) return nullptr;
  for (MemSeries* s : more->second) {
    if (matches(*s)) return s;
  }
  return nullptr;
}

MemSeries* SeriesTable::FindOrCreate(
    uint64_t hash, absl::FunctionRef<bool(const MemSeries&)> matches,
    absl::FunctionRef<MemSeries*()> create, bool* created) {
  *created = false;
  Stripe& stripe = stripes_[hash % kStripes];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto it = stripe.first.find(hash);
  if (it != stripe.first.end()) {
    if (matches(*it->second)) return it->second;
    auto more = stripe.more.find(hash);
    if (more != stripe.more.end()) {
      for (MemSeries* s : more->second) {
        if (matches(*s)) return s;
      }
    }
  }
  MemSeries* s = create();
  if (s == nullptr) return nullptr;
  *created = true;
  if (it == stripe.first.end()) {
    stripe.first.emplace(hash, s);
  } else {
    stripe.more[hash].push_back(s);
  }
  return s;
}

void SeriesTable::RemoveHash(const MemSeries& s) {
  Stripe& stripe = stripes_[s.hash % kStripes];
  std::lock_guard<std::mutex> lock(stripe.mu);
  auto more = stripe.more.find(s.hash);
  auto it = stripe.first.find(s.hash);
  if (it != stripe.first.end() && it->second == &s) {
    if (more == stripe.more.end()) {
      stripe.first.erase(it);
      return;
    }
    // Promote a colliding series into the first slot.
    it->second = more->second.back();
    more->second.pop_back();
  } else if (more != stripe.more.end()) {
    auto& list = more->second;
    list.erase(std::remove(list.begin(), list.end(), &s), list.end());
  }
  if (more != stripe.more.end() && more->second.empty()) {
    stripe.more.erase(more);
  }
}

void SeriesTable::ReserveId(uint32_t id) {
  uint32_t want = id + 1;
  uint32_t current = next_id_.load();
  while (current < want && !next_id_.compare_exchange_weak(current, want)) {
  }
}

}  // namespace fraisier::tsdb
