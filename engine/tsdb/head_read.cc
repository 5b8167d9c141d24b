// The head's Querier: resolves matchers through the index, snapshots each
// selected series' open chunk and newest persisted chunk ref under its
// lock, walks the persisted chain backwards through the chunk files'
// mappings without the lock, and iterates the chunks lock-free.
#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "engine/tsdb/head.h"

namespace fraisier::tsdb {
namespace {

// One chunk of a series snapshot: either a persisted chunk (kept readable
// by its handle) or a copy of the open chunk's bytes.
struct ChunkSnapshot {
  Timestamp min_time = 0;
  Timestamp max_time = 0;
  ChunkHandle handle;      // persisted chunks
  std::string open_bytes;  // the open chunk

  absl::string_view bytes() const {
    return open_bytes.empty() ? handle.bytes() : absl::string_view(open_bytes);
  }
};

// Walks a series' chunks in order, restricted to [mint, maxt].
// Not thread-safe; the chunks must outlive the iterator.
class ChunkSeriesIterator final : public storage::SampleIterator {
 public:
  ChunkSeriesIterator(const std::vector<ChunkSnapshot>* chunks, Timestamp mint,
                      Timestamp maxt)
      : chunks_(chunks), mint_(mint), maxt_(maxt), it_(absl::string_view()) {}

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
    while (i < chunks_->size() && (*chunks_)[i].max_time < t) ++i;
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
    if (i >= chunks_->size()) {
      done_ = true;
      return false;
    }
    it_ = XorIterator((*chunks_)[i].bytes());
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

  const std::vector<ChunkSnapshot>* chunks_;
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

class HeadSeries final : public storage::Series {
 public:
  HeadSeries(Labels labels, std::vector<ChunkSnapshot> chunks, Timestamp mint,
             Timestamp maxt)
      : labels_(std::move(labels)),
        chunks_(std::move(chunks)),
        mint_(mint),
        maxt_(maxt) {}
  const Labels& labels() const override { return labels_; }
  std::unique_ptr<storage::SampleIterator> Iterator() const override {
    return std::make_unique<ChunkSeriesIterator>(&chunks_, mint_, maxt_);
  }

 private:
  Labels labels_;
  std::vector<ChunkSnapshot> chunks_;
  Timestamp mint_;
  Timestamp maxt_;
};

class HeadSeriesSet final : public storage::SeriesSet {
 public:
  explicit HeadSeriesSet(std::vector<std::unique_ptr<HeadSeries>> series)
      : series_(std::move(series)) {}
  bool Next() override { return ++index_ < series_.size(); }
  const storage::Series& At() const override { return *series_[index_]; }

 private:
  std::vector<std::unique_ptr<HeadSeries>> series_;
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
    std::vector<std::unique_ptr<HeadSeries>> out;
    out.reserve(ids.size());
    std::vector<ChunkSnapshot> chunks;
    for (uint32_t id : ids) {
      Labels labels;
      chunks.clear();
      ChunkRef newest = 0;
      {
        std::lock_guard<std::mutex> lock(head_->SeriesLock(id));
        const MemSeries* s = head_->series_.Get(id);
        if (s == nullptr) continue;
        // Every persisted chunk ends by the newest one's max_time.
        if (s->newest_chunk != 0 && s->newest_chunk_max_time >= mint_) {
          newest = s->newest_chunk;
        }
        if (s->open.num_samples() > 0 && s->open.max_time() >= mint_ &&
            s->open.min_time() <= maxt_) {
          ChunkSnapshot snap;
          snap.min_time = s->open.min_time();
          snap.max_time = s->open.max_time();
          snap.open_bytes = std::string(s->open.bytes());
          chunks.push_back(std::move(snap));
        }
        if (newest == 0 && chunks.empty()) continue;
        labels = SeriesLabels(*s, head_->symbols_);
      }
      // The chain on disk is immutable and the snapshot above fixed where
      // it starts, so the walk needs no lock; appends may go on meanwhile.
      // Its chunks go before the open one.
      if (newest != 0) {
        const size_t num_open = chunks.size();
        CollectChain(*head_->chunk_files_, newest, mint_, maxt_, &chunks);
        std::rotate(chunks.begin(),
                    chunks.begin() + static_cast<std::ptrdiff_t>(num_open),
                    chunks.end());
      }
      if (chunks.empty()) continue;
      out.push_back(std::make_unique<HeadSeries>(
          std::move(labels), std::move(chunks), mint_, maxt_));
    }
    if (sorted) {
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        return Labels::Compare(a->labels(), b->labels()) < 0;
      });
    }
    return std::make_unique<HeadSeriesSet>(std::move(out));
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
