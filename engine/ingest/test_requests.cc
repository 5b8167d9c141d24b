#include "engine/ingest/test_requests.h"

#include <bit>

namespace fraisier::ingest::testing {

prometheus::WriteRequest MakeRequest(const std::vector<TestSeries>& series) {
  prometheus::WriteRequest request;
  for (const TestSeries& s : series) {
    prometheus::TimeSeries* ts = AddSeries({s.labels, s.samples}, &request);
    for (int i = 0; i < s.exemplars; ++i) {
      prometheus::Exemplar* e = ts->add_exemplars();
      e->set_value(i);
      e->set_timestamp(1000 + i);
      prometheus::Label* l = e->add_labels();
      l->set_name("trace_id");
      l->set_value("abc");
    }
    for (int i = 0; i < s.histograms; ++i) {
      prometheus::Histogram* h = ts->add_histograms();
      h->set_count_int(3);
      h->set_sum(1.5);
      h->set_timestamp(1000 + i);
    }
  }
  return request;
}

std::string Serialize(const prometheus::WriteRequest& request) {
  std::string out;
  request.SerializeToString(&out);
  return out;
}

std::string SnappyBody(const std::vector<TestSeries>& series) {
  return SnappyCompress(Serialize(MakeRequest(series)));
}

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}

std::string Tag(int field, int wire_type) {
  return Varint((static_cast<uint64_t>(field) << 3) |
                static_cast<uint64_t>(wire_type));
}

std::string VarintField(int field, uint64_t v) {
  return Tag(field, 0) + Varint(v);
}

std::string Fixed64Field(int field, double v) {
  std::string out = Tag(field, 1);
  uint64_t bits = std::bit_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) {
    out.push_back(static_cast<char>(bits & 0xff));
    bits >>= 8;
  }
  return out;
}

std::string BytesField(int field, absl::string_view payload) {
  return Tag(field, 2) + Varint(payload.size()) + std::string(payload);
}

std::string LabelMessage(absl::string_view name, absl::string_view value) {
  return BytesField(1, name) + BytesField(2, value);
}

std::string SampleMessage(int64_t t, double v) {
  return Fixed64Field(1, v) + VarintField(2, static_cast<uint64_t>(t));
}

}  // namespace fraisier::ingest::testing
