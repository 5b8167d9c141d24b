// MemIndex storage: adding, removing, memory accounting. Queries are in
// index_select.cc.
#include "engine/tsdb/index.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <shared_mutex>
#include <utility>

namespace fraisier::tsdb {
namespace index_internal {

absl::string_view StringArena::Store(absl::string_view s) {
  if (s.empty()) return absl::string_view();
  if (s.size() > kBlockBytes / 4) {
    // A long string gets a block of its own instead of wasting the rest of
    // the current one.
    blocks_.push_back(std::make_unique<char[]>(s.size()));
    allocated_ += s.size();
    std::memcpy(blocks_.back().get(), s.data(), s.size());
    return absl::string_view(blocks_.back().get(), s.size());
  }
  if (s.size() > left_) {
    blocks_.push_back(std::make_unique<char[]>(kBlockBytes));
    allocated_ += kBlockBytes;
    pos_ = blocks_.back().get();
    left_ = kBlockBytes;
  }
  std::memcpy(pos_, s.data(), s.size());
  const absl::string_view stored(pos_, s.size());
  pos_ += s.size();
  left_ -= s.size();
  return stored;
}

void StringArena::Swap(StringArena& other) noexcept {
  blocks_.swap(other.blocks_);
  std::swap(pos_, other.pos_);
  std::swap(left_, other.left_);
  std::swap(allocated_, other.allocated_);
}

}  // namespace index_internal

MemIndex::MemIndex() : names_(NameMap::allocator_type(&btree_bytes_)) {}

std::shared_lock<std::shared_mutex> MemIndex::LockShared() const {
  { std::lock_guard gate(writer_gate_); }
  return std::shared_lock(mu_);
}

void MemIndex::Add(SeriesId id, const Labels& labels) {
  std::lock_guard gate(writer_gate_);
  std::unique_lock lock(mu_);
  all_.Insert(id);
  for (const Label& label : labels) {
    auto name_it = names_.lower_bound(label.name);
    if (name_it == names_.end() || name_it->first != label.name) {
      live_string_bytes_ += label.name.size();
      name_it = names_.emplace_hint(
          name_it, arena_.Store(label.name),
          ValueMap(ValueMap::allocator_type(&btree_bytes_)));
    }
    ValueMap& values = name_it->second;
    auto value_it = values.lower_bound(label.value);
    if (value_it == values.end() || value_it->first != label.value) {
      live_string_bytes_ += label.value.size();
      value_it = values.emplace_hint(value_it, arena_.Store(label.value),
                                     PostingsList());
    }
    value_it->second.Insert(id);
  }
}

void MemIndex::Remove(absl::Span<const SeriesId> sorted_ids) {
  if (sorted_ids.empty()) return;
  std::lock_guard gate(writer_gate_);
  std::unique_lock lock(mu_);
  std::vector<SeriesId> scratch;
  // Rewrites `list` without the removed ids if it holds any. Intersects
  // stops early and gallops over whichever side is shorter, so lists that
  // hold none of the ids (most of them, for a small batch) cost little.
  const auto remove_from = [&](PostingsList& list) {
    if (!Intersects(list.span(), sorted_ids)) return;
    Subtract(list.span(), sorted_ids, &scratch);
    list.Assign(scratch);
  };
  remove_from(all_);
  for (auto name_it = names_.begin(); name_it != names_.end();) {
    ValueMap& values = name_it->second;
    for (auto value_it = values.begin(); value_it != values.end();) {
      remove_from(value_it->second);
      if (value_it->second.empty()) {
        live_string_bytes_ -= value_it->first.size();
        value_it = values.erase(value_it);
      } else {
        ++value_it;
      }
    }
    if (values.empty()) {
      live_string_bytes_ -= name_it->first.size();
      name_it = names_.erase(name_it);
    } else {
      ++name_it;
    }
  }
  MaybeCompactArena();
}

void MemIndex::MaybeCompactArena() {
  // Amortized: a compaction copies the live bytes, and at least as many dead
  // bytes (plus a floor, so small indexes never bother) must have built up
  // since the last one.
  constexpr size_t kMinDeadBytes = 1 << 20;
  if (arena_.allocated_bytes() < 2 * live_string_bytes_ + kMinDeadBytes) {
    return;
  }
  index_internal::StringArena fresh;
  NameMap names{NameMap::allocator_type(&btree_bytes_)};
  for (auto& [name, values] : names_) {
    ValueMap moved{ValueMap::allocator_type(&btree_bytes_)};
    for (auto& [value, list] : values) {
      // Keys arrive in order, so each insertion is an append at the end.
      moved.emplace_hint(moved.end(), fresh.Store(value), std::move(list));
    }
    names.emplace_hint(names.end(), fresh.Store(name), std::move(moved));
  }
  names_.swap(names);
  // The old maps still hold views into the old arena; drop them first.
  names.clear();
  arena_.Swap(fresh);
}

size_t MemIndex::NumSeries() const {
  const auto lock = LockShared();
  return all_.size();
}

size_t MemIndex::MemoryBytes() const {
  const auto lock = LockShared();
  size_t bytes = sizeof(*this) + btree_bytes_ + arena_.allocated_bytes() +
                 all_.HeapBytes();
  for (const auto& [name, values] : names_) {
    for (const auto& [value, list] : values) bytes += list.HeapBytes();
  }
  return bytes;
}

const MemIndex::ValueMap* MemIndex::FindValues(absl::string_view name) const {
  const auto it = names_.find(name);
  return it == names_.end() ? nullptr : &it->second;
}

}  // namespace fraisier::tsdb
