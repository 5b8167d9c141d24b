// Interning of label names and values into dense 32-bit references, so that
// the index and the WAL can store and compare small integers instead of
// strings.
#ifndef ENGINE_MODEL_SYMBOL_TABLE_H_
#define ENGINE_MODEL_SYMBOL_TABLE_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"

namespace fraisier {

// Thread-safety: all methods may be called concurrently. Lookup takes no
// lock (it is on every label comparison of the head); Intern and Find take
// a shared lock and only wait for an Intern that inserts a new string.
//
// Invariants: references are dense (0 .. size()-1) in insertion order and a
// string keeps its reference for the table's lifetime. String bytes live in
// append-only blocks that are never moved or freed before the table, so the
// views handed out by Intern's callers via Lookup stay valid as long as the
// table does.
class SymbolTable {
 public:
  SymbolTable() = default;
  ~SymbolTable();
  SymbolTable(const SymbolTable&) = delete;
  SymbolTable& operator=(const SymbolTable&) = delete;

  // Returns the reference of `s`, adding it if it is new.
  uint32_t Intern(absl::string_view s);

  // The reference of `s`, or nullopt when it was never interned.
  std::optional<uint32_t> Find(absl::string_view s) const;

  // The string for `ref`. A reference this table never returned yields an
  // empty view rather than undefined behaviour, because references may come
  // from on-disk data.
  absl::string_view Lookup(uint32_t ref) const;

  size_t size() const;

  // Approximate heap bytes held: string blocks plus index structures.
  size_t MemoryBytes() const;

 private:
  // Copies `s` into stable storage. Requires the exclusive lock.
  absl::string_view Store(absl::string_view s);

  mutable std::shared_mutex mu_;
  // Keys view into blocks_, so lookups by absl::string_view never allocate.
  absl::flat_hash_map<absl::string_view, uint32_t> refs_;
  // ref -> string, in fixed-size pages that never move, so Lookup reads
  // them without the lock: a page pointer and `count_` are published with
  // release stores after the entry is written.
  static constexpr uint32_t kPageBits = 16;
  static constexpr uint32_t kPageSize = 1u << kPageBits;
  static constexpr uint32_t kNumPages = 1u << (32 - kPageBits);
  std::unique_ptr<std::atomic<absl::string_view*>[]> pages_ =
      std::make_unique<std::atomic<absl::string_view*>[]>(kNumPages);
  std::atomic<uint32_t> count_{0};
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_pos_ = nullptr;
  size_t block_left_ = 0;
  size_t block_bytes_ = 0;
};

}  // namespace fraisier

#endif  // ENGINE_MODEL_SYMBOL_TABLE_H_
