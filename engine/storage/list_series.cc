#include "engine/storage/list_series.h"

#include <algorithm>
#include <cstdlib>

namespace fraisier::storage {

bool VectorSampleIterator::Next() {
  if (index_ < static_cast<ptrdiff_t>(samples_->size())) ++index_;
  return index_ < static_cast<ptrdiff_t>(samples_->size());
}

bool VectorSampleIterator::Seek(Timestamp t) {
  if (index_ < 0) index_ = 0;
  ptrdiff_t size = static_cast<ptrdiff_t>(samples_->size());
  if (index_ >= size) return false;
  if ((*samples_)[index_].t >= t) return true;
  auto it =
      std::lower_bound(samples_->begin() + index_, samples_->end(), t,
                       [](const Sample& s, Timestamp ts) { return s.t < ts; });
  index_ = it - samples_->begin();
  return index_ < size;
}

const Series& ErrorSeriesSet::At() const {
  // Callers only reach At() after Next() returned true, which never happens.
  std::abort();
}

}  // namespace fraisier::storage
