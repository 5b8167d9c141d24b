#include "engine/ingest/grpc_service.h"

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "engine/base/clock.h"
#include "engine/base/status_matchers.h"
#include "engine/ingest/test_requests.h"
#include "engine/model/labels.h"
#include "engine/model/matcher.h"
#include "engine/tsdb/head.h"
#include "gmock/gmock.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/grpcpp.h"
#include "gtest/gtest.h"
#include "proto/remote.grpc.pb.h"

namespace fraisier::ingest {
namespace {

using ::fraisier::testing::IsOk;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using namespace ::fraisier::ingest::testing;  // NOLINT: test builders

constexpr int64_t kStart = 1700000000000;  // ms

std::string Trailer(const grpc::ClientContext& context,
                    const std::string& key) {
  const auto& trailers = context.GetServerTrailingMetadata();
  auto it = trailers.find(key);
  if (it == trailers.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

class GrpcServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = absl::StrCat(
        ::testing::TempDir(), "/grpc_",
        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    clock_.Set(absl::FromUnixMillis(kStart + 3600 * 1000));
    tsdb::HeadOptions o;
    o.dir = dir_;
    o.clock = &clock_;
    o.max_series = 50;
    auto head = tsdb::Head::Open(std::move(o));
    ASSERT_THAT(head, IsOk());
    head_ = *std::move(head);
    ReceiverLimits limits;
    limits.max_body_bytes = 256 << 10;
    receiver_ = std::make_unique<Receiver>(*head_, limits, &clock_);
    GrpcServerOptions options;
    options.listen_address = "127.0.0.1:0";
    options.service.worker_threads = 2;
    auto server = RemoteWriteGrpcServer::Start(*receiver_, options);
    ASSERT_THAT(server, IsOk());
    server_ = *std::move(server);
    ASSERT_GT(server_->port(), 0);
    EXPECT_EQ(server_->address(), absl::StrCat("127.0.0.1:", server_->port()));
    stub_ = prometheus::RemoteWrite::NewStub(grpc::CreateChannel(
        server_->address(), grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    stub_.reset();
    server_.reset();
    receiver_.reset();
    head_.reset();
    std::filesystem::remove_all(dir_);
  }

  grpc::Status Write(const std::vector<TestSeries>& series,
                     prometheus::WriteResponse* response,
                     grpc::ClientContext* context) {
    return stub_->Write(context, MakeRequest(series), response);
  }

  // "labels: t=v ..." for every stored series.
  std::vector<std::string> Dump() {
    auto querier = head_->NewQuerier(kMinTimestamp, kMaxTimestamp);
    EXPECT_THAT(querier, IsOk());
    auto set = (*querier)->Select(
        true, nullptr,
        {*Matcher::Create(MatchType::kRegexMatch, "__name__", ".+")});
    std::vector<std::string> out;
    while (set->Next()) {
      std::string line = set->At().labels().ToString() + ":";
      auto it = set->At().Iterator();
      while (it->Next()) {
        absl::StrAppend(&line, " ", it->At().t - kStart, "=", it->At().v);
      }
      out.push_back(line);
    }
    return out;
  }

  std::string dir_;
  FakeClock clock_;
  std::unique_ptr<tsdb::Head> head_;
  std::unique_ptr<Receiver> receiver_;
  std::unique_ptr<RemoteWriteGrpcServer> server_;
  std::unique_ptr<prometheus::RemoteWrite::Stub> stub_;
};

TEST(GrpcCodeTest, MapsEveryWriteCode) {
  EXPECT_EQ(GrpcCode(WriteCode::kOk), grpc::StatusCode::OK);
  EXPECT_EQ(GrpcCode(WriteCode::kBadRequest),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(GrpcCode(WriteCode::kPayloadTooLarge),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(GrpcCode(WriteCode::kTooManyRequests),
            grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(GrpcCode(WriteCode::kUnavailable), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(GrpcCode(WriteCode::kInternal), grpc::StatusCode::INTERNAL);
}

TEST_F(GrpcServiceTest, WritesAndReadsBack) {
  prometheus::WriteResponse response;
  grpc::ClientContext context;
  grpc::Status status =
      Write({{{{"__name__", "up"}, {"job", "api"}},
              {{kStart + 1000, 1}, {kStart + 2000, 0}}},
             {{{"__name__", "up"}, {"job", "db"}}, {{kStart + 1000, 1}}}},
            &response, &context);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.samples_written(), 3);
  EXPECT_EQ(Trailer(context, "fraisier-write-code"), "ok");
  EXPECT_THAT(Dump(),
              ElementsAre("{__name__=\"up\", job=\"api\"}: 1000=1 2000=0",
                          "{__name__=\"up\", job=\"db\"}: 1000=1"));
}

TEST_F(GrpcServiceTest, BadInputGetsStatusCodesAndKeepsData) {
  {
    prometheus::WriteResponse response;
    grpc::ClientContext context;
    ASSERT_TRUE(Write({{{{"__name__", "up"}}, {{kStart + 1000, 1}}}}, &response,
                      &context)
                    .ok());
  }
  {
    // Unsorted labels beside a good series: INVALID_ARGUMENT, and the good
    // series is stored (the trailers say how much).
    prometheus::WriteResponse response;
    grpc::ClientContext context;
    grpc::Status status =
        Write({{{{"__name__", "m"}, {"job", "a"}, {"instance", "b"}},
                {{kStart + 1000, 1}}},
               {{{"__name__", "up"}}, {{kStart + 2000, 2}}}},
              &response, &context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(),
                HasSubstr(R"(labels are not sorted: "job" before "instance")"));
    EXPECT_EQ(Trailer(context, "fraisier-write-code"), "bad_request");
    EXPECT_EQ(Trailer(context, "fraisier-samples-stored"), "1");
    EXPECT_EQ(Trailer(context, "fraisier-samples-rejected"), "1");
  }
  {
    // Over the active-series limit (50): RESOURCE_EXHAUSTED, nothing stored.
    std::vector<TestSeries> many;
    for (int i = 0; i < 60; ++i) {
      many.push_back(
          {{{"__name__", "n"}, {"i", absl::StrCat(i)}}, {{kStart + 1000, 1}}});
    }
    prometheus::WriteResponse response;
    grpc::ClientContext context;
    grpc::Status status = Write(many, &response, &context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_THAT(status.error_message(), HasSubstr("active series"));
    EXPECT_EQ(Trailer(context, "fraisier-write-code"), "too_many_requests");
  }
  {
    // Over gRPC's receive limit (the receiver's max_body_bytes, 256 KiB).
    TestSeries big{{{"__name__", "big"}, {"v", std::string(300 << 10, 'x')}},
                   {{kStart, 1}}};
    prometheus::WriteResponse response;
    grpc::ClientContext context;
    grpc::Status status = Write({big}, &response, &context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  }
  {
    // Out of order: INVALID_ARGUMENT.
    prometheus::WriteResponse response;
    grpc::ClientContext context;
    grpc::Status status = Write({{{{"__name__", "up"}}, {{kStart + 500, 1}}}},
                                &response, &context);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_THAT(status.error_message(), HasSubstr("out of order sample"));
  }
  EXPECT_THAT(Dump(), ElementsAre("{__name__=\"up\"}: 1000=1 2000=2"));
}

TEST_F(GrpcServiceTest, RawBytesFromAGenericClient) {
  // Malformed protobuf can only be sent raw: a generic stub carries bytes.
  grpc::GenericStub generic(grpc::CreateChannel(
      server_->address(), grpc::InsecureChannelCredentials()));
  const std::string bytes = std::string("\x0a\x8f\x4e", 3) + "abc";
  grpc::Slice slice(bytes);
  grpc::ByteBuffer request(&slice, 1);
  grpc::ByteBuffer reply;
  grpc::ClientContext context;
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  grpc::Status status;
  generic.UnaryCall(&context, "/prometheus.RemoteWrite/Write",
                    grpc::StubOptions(), &request, &reply, [&](grpc::Status s) {
                      std::lock_guard<std::mutex> lock(mu);
                      status = std::move(s);
                      done = true;
                      done_cv.notify_one();
                    });
  std::unique_lock<std::mutex> lock(mu);
  done_cv.wait(lock, [&] { return done; });
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(),
              HasSubstr("protobuf: field 1 length 9999 overruns the message "
                        "at byte 0"));
}

TEST_F(GrpcServiceTest, ConcurrentCallers) {
  constexpr int kThreads = 4;
  constexpr int kCalls = 10;
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([this, w] {
      for (int i = 0; i < kCalls; ++i) {
        prometheus::WriteResponse response;
        grpc::ClientContext context;
        grpc::Status status =
            Write({{{{"__name__", "c"}, {"w", absl::StrCat(w)}},
                    {{kStart + 1000 * (i + 1), i}}}},
                  &response, &context);
        EXPECT_TRUE(status.ok()) << status.error_message();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(head_->stats().samples_appended, kThreads * kCalls);
}

TEST_F(GrpcServiceTest, ShutdownIsCleanAndIdempotent) {
  server_->Shutdown(absl::Seconds(1));
  server_->Shutdown();
  prometheus::WriteResponse response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::seconds(2));
  grpc::Status status =
      Write({{{{"__name__", "up"}}, {{kStart, 1}}}}, &response, &context);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE);
}

TEST(GrpcServerStartTest, RefusesBadAddresses) {
  class NullStore final : public storage::Appendable {
    std::unique_ptr<storage::Appender> NewAppender() override {
      return nullptr;
    }
  } store;
  Receiver receiver(store, ReceiverLimits());
  GrpcServerOptions options;
  options.listen_address = "no-port";
  EXPECT_FALSE(RemoteWriteGrpcServer::Start(receiver, options).ok());
  // Two servers cannot share a port.
  options.listen_address = "127.0.0.1:0";
  auto first = RemoteWriteGrpcServer::Start(receiver, options);
  ASSERT_THAT(first, IsOk());
  options.listen_address = (*first)->address();
  EXPECT_FALSE(RemoteWriteGrpcServer::Start(receiver, options).ok());
}

}  // namespace
}  // namespace fraisier::ingest
