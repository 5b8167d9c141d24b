// The head's Querier: resolves matchers through the index, snapshots each
// selected series' open chunk and newest persisted chunk ref under its
// lock, walks the persisted chain backwards through the chunk files'
// mappings without the lock, and iterates the chunks lock-free.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/casts.h"
#include "absl/types/span.h"
#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

// One chunk of a series snapshot: either a persisted chunk (kept readable
// by its handle) or a copy of the open chunk's bytes, kept in the Select's
// arena (one buffer for every series, so a Select allocates per result
// rather than per series).
struct ChunkSnapshot {
  Timestamp min_time = 0;
  Timestamp max_time = 0;
  ChunkHandle handle;      // persisted chunks
  size_t open_offset = 0;  // the open chunk: where its copy is in the arena
  size_t open_size = 0;    // 0 for persisted chunks

  absl::string_view bytes(const std::string& arena) const {
    return open_size == 0
               ? handle.bytes()
               : absl::string_view(arena).substr(open_offset, open_size);
  }
  // Persisted chunks may be of an older encoding; open ones are XorChunk's.
  uint8_t encoding() const {
    return open_size == 0 ? handle.encoding() : kChunkEncodingXor2;
  }
};

// Walks a series' chunks in order, restricted to [mint, maxt].
// Not thread-safe; the chunks and the arena must outlive the iterator.
class ChunkSeriesIterator final : public storage::SampleIterator {
 public:
  ChunkSeriesIterator(absl::Span<const ChunkSnapshot> chunks,
                      const std::string* arena, Timestamp mint, Timestamp maxt)
      : chunks_(chunks),
        arena_(arena),
        mint_(mint),
        maxt_(maxt),
        it_(absl::string_view()) {}

  bool Next() override {
    if (done_) return false;
    if (!started_) return Seek(mint_);
    while (true) {
      if (it_.Next()) return Check();
      if (!it_.status().ok()) return Fail(it_.status());
      if (!OpenChunk(index_ + 1)) return false;
    }
  }

  bool Seek(Timestamp t) override {
    if (done_) return false;
    t = std::max(t, mint_);
    if (has_current_ && current_.t >= t) return true;
    // Skip whole chunks that end before t.
    size_t i = started_ ? index_ : 0;
    while (i < chunks_.size() && chunks_[i].max_time < t) ++i;
    if (!started_ || i != index_) {
      started_ = true;
      if (!OpenChunk(i)) return false;
    }
    while (true) {
      if (it_.Seek(t)) return Check();
      if (!it_.status().ok()) return Fail(it_.status());
      if (!OpenChunk(index_ + 1)) return false;
    }
  }

  Sample At() const override { return current_; }
  absl::Status status() const override { return status_; }

 private:
  bool OpenChunk(size_t i) {
    index_ = i;
    if (i >= chunks_.size()) {
      done_ = true;
      return false;
    }
    it_ = XorIterator(chunks_[i].bytes(*arena_), chunks_[i].encoding());
    return true;
  }
  bool Check() {
    current_ = it_.At();
    has_current_ = true;
    if (current_.t > maxt_) {
      done_ = true;
      return false;
    }
    return true;
  }
  bool Fail(absl::Status status) {
    status_ = std::move(status);
    done_ = true;
    return false;
  }

  absl::Span<const ChunkSnapshot> chunks_;
  const std::string* arena_;
  Timestamp mint_;
  Timestamp maxt_;
  XorIterator it_;
  size_t index_ = 0;
  bool started_ = false;
  bool has_current_ = false;
  bool done_ = false;
  Sample current_;
  absl::Status status_;
};

// Appends to `out`, oldest first, the chunks of the chain that ends at
// `newest` (a series' newest persisted chunk) overlapping [mint, maxt].
// Walks backwards and stops at the first chunk ending before `mint` (or
// once a chunk starts at or before it: the ones behind end earlier), at the
// end of the chain, or at a link that Read refuses: a segment retention
// deleted (NotFound), bytes past a repaired tail or damaged (DataLoss).
// Those are never dereferenced. A link that does not go back in time ends
// the walk too, so a chain is always read in strictly increasing time.
void CollectChain(const ChunkFiles& files, ChunkRef newest, Timestamp mint,
                  Timestamp maxt, std::vector<ChunkSnapshot>* out) {
  const size_t first = out->size();
  Timestamp newer_min = kMaxTimestamp;  // min_time of the chunk after
  for (ChunkRef ref = newest; ref != 0;) {
    absl::StatusOr<ChunkHandle> handle = files.Read(ref);
    if (!handle.ok()) break;
    const Timestamp chunk_min = handle->min_time();
    const Timestamp chunk_max = handle->max_time();
    if (chunk_max >= newer_min || chunk_max < mint) break;
    const ChunkRef prev = handle->prev_ref();  // < ref (checked by Read)
    if (chunk_min <= maxt) {
      ChunkSnapshot snap;
      snap.min_time = chunk_min;
      snap.max_time = chunk_max;
      snap.handle = *std::move(handle);
      out->push_back(std::move(snap));
    }
    if (chunk_min <= mint) break;
    newer_min = chunk_min;
    ref = prev;
  }
  std::reverse(out->begin() + static_cast<std::ptrdiff_t>(first), out->end());
}

// What one Select returns: every series' labels and chunk snapshots in
// flat arrays, the open chunks' bytes in one arena.
// Yields one sample: the newest of a series, when a latest-only Select
// found it inside the window (no chunk is copied or decoded for it).
class LatestSampleIterator final : public storage::SampleIterator {
 public:
  explicit LatestSampleIterator(Sample sample) : sample_(sample) {}
  bool Next() override {
    if (done_) return false;
    if (!started_) return started_ = true;
    done_ = true;
    return false;
  }
  bool Seek(Timestamp t) override {
    if (done_) return false;
    started_ = true;
    if (sample_.t >= t) return true;
    done_ = true;
    return false;
  }
  Sample At() const override { return sample_; }
  absl::Status status() const override { return absl::OkStatus(); }

 private:
  const Sample sample_;
  bool started_ = false;
  bool done_ = false;
};

struct SelectResult {
  struct Entry {
    Labels labels;
    size_t first_chunk;
    size_t num_chunks;  // 0: the series is `latest` alone
    Sample latest;
  };
  std::vector<Entry> series;
  std::vector<ChunkSnapshot> chunks;
  std::string arena;
};

class HeadSeries final : public storage::Series {
 public:
  HeadSeries(const SelectResult* result, Timestamp mint, Timestamp maxt)
      : result_(result), mint_(mint), maxt_(maxt) {}
  void Point(size_t index) { entry_ = &result_->series[index]; }
  const Labels& labels() const override { return entry_->labels; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    if (entry_->num_chunks == 0) {
      return std::make_unique<LatestSampleIterator>(entry_->latest);
    }
    return std::make_unique<ChunkSeriesIterator>(
        absl::MakeConstSpan(result_->chunks)
            .subspan(entry_->first_chunk, entry_->num_chunks),
        &result_->arena, mint_, maxt_);
  }

 private:
  const SelectResult* result_;
  const SelectResult::Entry* entry_ = nullptr;
  Timestamp mint_;
  Timestamp maxt_;
};

class HeadSeriesSet final : public storage::SeriesSet {
 public:
  HeadSeriesSet(SelectResult result, std::vector<uint32_t> order,
                Timestamp mint, Timestamp maxt)
      : result_(std::move(result)),
        order_(std::move(order)),
        current_(&result_, mint, maxt) {}
  bool Next() override {
    if (++index_ >= result_.series.size()) return false;
    current_.Point(order_.empty() ? index_ : order_[index_]);
    return true;
  }
  const storage::Series& At() const override { return current_; }

 private:
  const SelectResult result_;
  const std::vector<uint32_t> order_;  // empty: result order
  HeadSeries current_;
  size_t index_ = static_cast<size_t>(-1);
};

}  // namespace

// Not thread-safe; reads the head concurrently with appends.
class HeadQuerier final : public storage::Querier {
 public:
  HeadQuerier(Head* head, Timestamp mint, Timestamp maxt)
      : head_(head), mint_(mint), maxt_(maxt) {}

  std::unique_ptr<storage::SeriesSet> Select(
      bool sorted, const storage::SelectHints* hints,
      absl::Span<const Matcher> matchers) override {
    std::vector<uint32_t> ids = head_->index_.Select(matchers);
    SelectResult result;
    result.series.reserve(ids.size());
    result.chunks.reserve(ids.size());
    // The window in which a latest-only Select may answer from a series'
    // newest sample: when that sample is past it, older samples are needed
    // and the chunks are read as usual.
    const bool latest_only = hints != nullptr && hints->latest_only;
    const Timestamp window_start =
        latest_only ? std::max(mint_, hints->start) : mint_;
    const Timestamp window_end =
        latest_only ? std::min(maxt_, hints->end) : maxt_;
    for (uint32_t id : ids) {
      Labels labels;
      const size_t first_chunk = result.chunks.size();
      ChunkRef newest = 0;
      {
        std::lock_guard<std::mutex> lock(head_->SeriesLock(id));
        const MemSeries* s = head_->series_.Get(id);
        if (s == nullptr) continue;
        if (latest_only) {
          const Timestamp last_t = s->last_t.load(std::memory_order_relaxed);
          if (last_t == kMinTimestamp || last_t < window_start) continue;
          // last_v_bits is the newest value only when the open chunk holds
          // the newest sample (a replayed chunk chain sets last_t alone).
          if (last_t <= window_end && s->open.num_samples() > 0 &&
              s->open.max_time() == last_t) {
            const Sample latest{
                last_t, absl::bit_cast<double>(
                            s->last_v_bits.load(std::memory_order_relaxed))};
            result.series.push_back(
                {SeriesLabels(*s, head_->symbols_), first_chunk, 0, latest});
            continue;
          }
        }
        // Every persisted chunk ends by the newest one's max_time.
        if (s->newest_chunk != 0 && s->newest_chunk_max_time >= mint_) {
          newest = s->newest_chunk;
        }
        if (s->open.num_samples() > 0 && s->open.max_time() >= mint_ &&
            s->open.min_time() <= maxt_) {
          ChunkSnapshot snap;
          snap.min_time = s->open.min_time();
          snap.max_time = s->open.max_time();
          const absl::string_view bytes = s->open.bytes();
          snap.open_offset = result.arena.size();
          snap.open_size = bytes.size();
          result.arena.append(bytes.data(), bytes.size());
          result.chunks.push_back(std::move(snap));
        }
        if (newest == 0 && result.chunks.size() == first_chunk) continue;
        labels = SeriesLabels(*s, head_->symbols_);
      }
      // The chain on disk is immutable and the snapshot above fixed where
      // it starts, so the walk needs no lock; appends may go on meanwhile.
      // Its chunks go before the open one.
      if (newest != 0) {
        const size_t num_open = result.chunks.size() - first_chunk;
        CollectChain(*head_->chunk_files_, newest, mint_, maxt_,
                     &result.chunks);
        std::rotate(
            result.chunks.begin() + static_cast<std::ptrdiff_t>(first_chunk),
            result.chunks.begin() +
                static_cast<std::ptrdiff_t>(first_chunk + num_open),
            result.chunks.end());
      }
      const size_t num_chunks = result.chunks.size() - first_chunk;
      if (num_chunks == 0) continue;
      result.series.push_back(
          {std::move(labels), first_chunk, num_chunks, Sample{}});
    }
    std::vector<uint32_t> order;
    if (sorted) {
      order.resize(result.series.size());
      for (size_t i = 0; i < order.size(); ++i) {
        order[i] = static_cast<uint32_t>(i);
      }
      std::sort(order.begin(), order.end(), [&result](uint32_t a, uint32_t b) {
        return Labels::Compare(result.series[a].labels,
                               result.series[b].labels) < 0;
      });
    }
    return std::make_unique<HeadSeriesSet>(std::move(result), std::move(order),
                                           mint_, maxt_);
  }

  absl::StatusOr<std::vector<std::string>> LabelValues(
      absl::string_view name, absl::Span<const Matcher> matchers) override {
    return head_->index_.LabelValues(name, matchers);
  }

  absl::StatusOr<std::vector<std::string>> LabelNames(
      absl::Span<const Matcher> matchers) override {
    return head_->index_.LabelNames(matchers);
  }

 private:
  Head* head_;
  Timestamp mint_;
  Timestamp maxt_;
};

absl::StatusOr<std::unique_ptr<storage::Querier>> Head::NewQuerier(
    Timestamp mint, Timestamp maxt) {
  return std::make_unique<HeadQuerier>(this, mint, maxt);
}

}  // namespace fraisier::tsdb
