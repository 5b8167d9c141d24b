#include "engine/server/http_frontend.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/integration/test_util.h"

namespace fraisier::server {
namespace {

using integration::HttpGet;
using integration::HttpPost;
using integration::HttpResult;
using ::testing::HasSubstr;
using ::testing::Not;
using Clock = std::chrono::steady_clock;

double MillisSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start)
      .count();
}

// A raw HTTP/1.1 client connection, to see keep-alive, pipelining and
// interim responses that libcurl hides.
class RawConnection {
 public:
  explicit RawConnection(int port) {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      close(fd_);
      fd_ = -1;
    }
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }

  bool Send(absl::string_view data) {
    while (!data.empty()) {
      const ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  struct Response {
    int status = 0;
    std::string head;  // status line and headers
    std::string body;
  };

  // Reads one response (Content-Length framed; none for 1xx, 204 and HEAD).
  std::optional<Response> Read(absl::Duration timeout, bool head = false) {
    const Clock::time_point deadline =
        Clock::now() + absl::ToChronoMilliseconds(timeout);
    size_t end;
    while ((end = pending_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(deadline)) return std::nullopt;
    }
    Response r;
    r.head = pending_.substr(0, end + 2);
    pending_.erase(0, end + 4);
    if (r.head.size() < 12 ||
        !absl::SimpleAtoi(absl::string_view(r.head).substr(9, 3), &r.status)) {
      return std::nullopt;
    }
    size_t length = 0;
    const size_t at = r.head.find("Content-Length: ");
    if (!head && r.status >= 200 && r.status != 204 &&
        at != std::string::npos) {
      const size_t eol = r.head.find("\r\n", at);
      if (!absl::SimpleAtoi(r.head.substr(at + 16, eol - at - 16), &length)) {
        return std::nullopt;
      }
    }
    while (pending_.size() < length) {
      if (!Fill(deadline)) return std::nullopt;
    }
    r.body = pending_.substr(0, length);
    pending_.erase(0, length);
    return r;
  }

  // True if the server closed the connection (within `timeout`).
  bool ClosedByPeer(absl::Duration timeout) {
    const Clock::time_point deadline =
        Clock::now() + absl::ToChronoMilliseconds(timeout);
    while (Fill(deadline)) {
    }
    return eof_;
  }

 private:
  bool Fill(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[65536];
    const ssize_t n = recv(fd_, buf, sizeof(buf), 0);
    if (n <= 0) {
      eof_ = true;
      return false;
    }
    pending_.append(buf, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  std::string pending_;
  bool eof_ = false;
};

std::string Get(absl::string_view path) {
  return absl::StrCat("GET ", path, " HTTP/1.1\r\nHost: test\r\n\r\n");
}

// Holds handlers of /slow until released.
class Gate {
 public:
  void Wait() {
    std::unique_lock<std::mutex> lock(mu_);
    ++waiting_;
    cv_.notify_all();
    cv_.wait_for(lock, std::chrono::seconds(20), [this] { return open_; });
  }
  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  bool AwaitWaiting(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(10),
                        [&] { return waiting_ >= n; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  bool open_ = false;
};

class HttpFrontendTest : public ::testing::Test {
 protected:
  void StartWith(HttpFrontendOptions options) {
    options.listen_address = "127.0.0.1:0";
    options.observe = [this](absl::string_view route, int code, double) {
      observed_.fetch_add(1);
      std::lock_guard<std::mutex> lock(mu_);
      last_route_ = std::string(route);
      (void)code;
    };
    frontend_ = std::make_unique<HttpFrontend>(options);
    frontend_->Handle({"GET", "POST"}, "/echo", [](const HttpRequest& r) {
      std::vector<std::string> params;
      for (const auto& [k, v] : r.params) params.push_back(k + "=" + v);
      return HttpResponse{
          200, "text/plain",
          absl::StrCat(r.method, " ", r.path, " ", absl::StrJoin(params, ","),
                       " body=", r.body.size(), " enc=", r.content_encoding)};
    });
    frontend_->Handle({"POST"}, "/nocontent", [](const HttpRequest&) {
      return HttpResponse{204, "", ""};
    });
    frontend_->Handle({"GET"}, "/slow", [this](const HttpRequest&) {
      gate_.Wait();
      return HttpResponse{200, "text/plain", "slow"};
    });
    frontend_->HandlePrefix("/api/v1/", [](const HttpRequest& r) {
      return HttpResponse{200, "application/json",
                          absl::StrCat("{\"path\":\"", r.path, "\"}")};
    });
    absl::StatusOr<int> port = frontend_->Start();
    ASSERT_TRUE(port.ok()) << port.status();
    port_ = *port;
    base_ = absl::StrCat("http://127.0.0.1:", *port);
  }
  void TearDown() override {
    gate_.Open();
    if (frontend_) frontend_->Stop();
  }
  std::string last_route() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_route_;
  }

  std::unique_ptr<HttpFrontend> frontend_;
  int port_ = 0;
  std::string base_;
  std::atomic<int> observed_{0};
  Gate gate_;
  std::mutex mu_;
  std::string last_route_;  // guarded by mu_
};

TEST_F(HttpFrontendTest, RoutesExactAndPrefixPaths) {
  StartWith({});
  HttpResult r = HttpGet(base_ + "/echo?a=1&match%5B%5D=x&match%5B%5D=y");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /echo a=1,match[]=x,match[]=y body=0 enc=");
  r = HttpGet(base_ + "/api/v1/label/job/values");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "{\"path\":\"/api/v1/label/job/values\"}");
  EXPECT_EQ(last_route(), "/api/v1/label/:name/values");
  r = HttpGet(base_ + "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "404 page not found\n");
  EXPECT_EQ(last_route(), "unmatched");
  EXPECT_GE(observed_.load(), 3);
  r = HttpGet(base_ + "/echo/sub");
  EXPECT_EQ(r.status, 404);
  r = HttpGet(base_ + "/e%63ho?q=a+b%20c");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "GET /echo q=a b c body=0 enc=");
}

TEST_F(HttpFrontendTest, WrongMethodGets405AndHeadIsAGetWithoutBody) {
  StartWith({});
  RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(c.Send("GET /nocontent HTTP/1.1\r\nHost: t\r\n\r\n"));
  auto r = c.Read(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 405);
  EXPECT_THAT(r->head, HasSubstr("Allow: POST"));
  ASSERT_TRUE(c.Send("HEAD /echo?a=1 HTTP/1.1\r\nHost: t\r\n\r\n"));
  // "HEAD /echo a=1 body=0 enc=": the handler sees the method as sent.
  r = c.Read(absl::Seconds(10), /*head=*/true);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_THAT(r->head, HasSubstr("Content-Length: 26"));
  // The connection is still in sync: no body followed the HEAD answer.
  ASSERT_TRUE(c.Send(Get("/echo?a=1")));
  r = c.Read(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "GET /echo a=1 body=0 enc=");
}

TEST_F(HttpFrontendTest, KeepAliveAndPipeliningOnOneConnection) {
  StartWith({});
  RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(c.Send(Get(absl::StrCat("/echo?i=", i))));
    auto r = c.Read(absl::Seconds(10));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->body, absl::StrCat("GET /echo i=", i, " body=0 enc="));
    EXPECT_THAT(r->head, Not(HasSubstr("Connection: close")));
  }
  ASSERT_TRUE(c.Send(absl::StrCat(
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello",
      Get("/echo?second=1"))));
  auto r = c.Read(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "POST /echo  body=5 enc=");
  r = c.Read(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->body, "GET /echo second=1 body=0 enc=");
  // "Connection: close" is honoured.
  ASSERT_TRUE(
      c.Send("GET /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
  r = c.Read(absl::Seconds(10));
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(c.ClosedByPeer(absl::Seconds(5)));
}

TEST_F(HttpFrontendTest, LongQueryStringsAndExpectContinue) {
  StartWith({});
  // Long PromQL arrives in GET query strings; Beast's default header limit
  // is 8 KiB.
  const std::string long_value(100'000, 'q');
  HttpResult r = HttpGet(base_ + "/echo?query=" + long_value);
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr(long_value));

  RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 3\r\n"
             "Expect: 100-continue\r\n\r\n"));
  auto interim = c.Read(absl::Seconds(10));
  ASSERT_TRUE(interim.has_value());
  EXPECT_EQ(interim->status, 100);
  ASSERT_TRUE(c.Send("abc"));
  auto final_response = c.Read(absl::Seconds(10));
  ASSERT_TRUE(final_response.has_value());
  EXPECT_EQ(final_response->body, "POST /echo  body=3 enc=");
}

// cpp-httplib held a thread per kept-alive connection: with 256 idle
// connections a new one got no answer in 20 s (docs/decisions.md, 3).
TEST_F(HttpFrontendTest, IdleConnectionsDoNotBlockNewRequests) {
  StartWith({});
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (int i = 0; i < 300; ++i) {
    idle.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(idle.back()->ok()) << i;
    // Half have been used once and are kept alive; half never sent a byte.
    if (i % 2 == 0) {
      ASSERT_TRUE(idle.back()->Send(Get("/echo")));
      ASSERT_TRUE(idle.back()->Read(absl::Seconds(10)).has_value()) << i;
    }
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    const Clock::time_point start = Clock::now();
    HttpResult r = HttpGet(base_ + "/echo?new=1");
    const double ms = MillisSince(start);
    EXPECT_EQ(r.status, 200);
    // 100 ms when the machine is quiet; generous for a loaded CI machine.
    EXPECT_LT(ms, 2000) << "attempt " << attempt;
  }
  // And every idle connection is still served.
  for (int i = 0; i < 300; ++i) {
    ASSERT_TRUE(idle[i]->Send(Get("/echo?again=1")));
    auto r = idle[i]->Read(absl::Seconds(10));
    ASSERT_TRUE(r.has_value()) << i;
    EXPECT_EQ(r->status, 200);
  }
}

TEST_F(HttpFrontendTest, SlowHandlersDoNotBlockOtherConnections) {
  HttpFrontendOptions options;
  options.io_threads = 2;
  StartWith(options);
  // More slow requests than I/O threads, so every I/O thread has one.
  std::vector<std::thread> slow;
  std::atomic<int> slow_ok{0};
  for (int i = 0; i < 4; ++i) {
    slow.emplace_back([&] {
      if (HttpGet(base_ + "/slow").status == 200) slow_ok.fetch_add(1);
    });
  }
  ASSERT_TRUE(gate_.AwaitWaiting(4));
  for (int i = 0; i < 4; ++i) {
    const Clock::time_point start = Clock::now();
    HttpResult r = HttpGet(base_ + "/echo");
    EXPECT_EQ(r.status, 200);
    EXPECT_LT(MillisSince(start), 2000);
  }
  gate_.Open();
  for (std::thread& t : slow) t.join();
  EXPECT_EQ(slow_ok.load(), 4);
}

TEST_F(HttpFrontendTest, StopLetsInFlightRequestsFinishAndClosesIdleOnes) {
  StartWith({});
  RawConnection idle(port_);
  ASSERT_TRUE(idle.ok());
  ASSERT_TRUE(idle.Send(Get("/echo")));
  ASSERT_TRUE(idle.Read(absl::Seconds(10)).has_value());
  HttpResult slow_result;
  std::thread slow([&] { slow_result = HttpGet(base_ + "/slow"); });
  ASSERT_TRUE(gate_.AwaitWaiting(1));
  const Clock::time_point start = Clock::now();
  std::thread stopper([&] { frontend_->Stop(); });
  // The idle connection is closed at once; the slow request goes on.
  EXPECT_TRUE(idle.ClosedByPeer(absl::Seconds(5)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  gate_.Open();
  stopper.join();
  slow.join();
  EXPECT_EQ(slow_result.status, 200);
  EXPECT_EQ(slow_result.body, "slow");
  EXPECT_LT(MillisSince(start), 5000);
  // No longer listening.
  EXPECT_NE(HttpGet(base_ + "/echo").status, 200);
}

TEST_F(HttpFrontendTest, FormBodyParametersAreMerged) {
  StartWith({});
  HttpResult r = HttpPost(base_ + "/echo?time=5", "query=up%7Bjob%3D%22x%22%7D",
                          {"Content-Type: application/x-www-form-urlencoded"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("query=up{job=\"x\"}"));
  EXPECT_THAT(r.body, HasSubstr("time=5"));
}

TEST_F(HttpFrontendTest, SnappyBodiesPassThroughUntouched) {
  StartWith({});
  HttpResult r = HttpPost(
      base_ + "/echo", std::string(1000, '\x01'),
      {"Content-Encoding: snappy", "Content-Type: application/x-protobuf"});
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("body=1000 enc=snappy"));
  r = HttpPost(base_ + "/nocontent", "x", {});
  EXPECT_EQ(r.status, 204);
  EXPECT_EQ(r.body, "");
}

TEST_F(HttpFrontendTest, OversizedBodiesGet413) {
  HttpFrontendOptions options;
  options.max_body_bytes = 1024;
  StartWith(options);
  HttpResult r = HttpPost(base_ + "/nocontent", std::string(4096, 'x'), {});
  EXPECT_EQ(r.status, 413);
  r = HttpPost(base_ + "/nocontent", std::string(512, 'x'), {});
  EXPECT_EQ(r.status, 204);
  // A declared 1 GB body is refused from the header, without waiting for
  // it, and the status arrives intact.
  RawConnection c(port_);
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(
      c.Send("POST /nocontent HTTP/1.1\r\nHost: t\r\n"
             "Content-Length: 1000000000\r\n\r\n" +
             std::string(4096, 'x')));
  auto raw = c.Read(absl::Seconds(10));
  ASSERT_TRUE(raw.has_value());
  EXPECT_EQ(raw->status, 413);
  EXPECT_EQ(raw->body,
            "request body exceeds the limit of 1024 bytes "
            "(remote_write_receiver.max_body_size)\n");
  EXPECT_EQ(last_route(), "/nocontent");
  EXPECT_TRUE(c.ClosedByPeer(absl::Seconds(5)));
}

TEST_F(HttpFrontendTest, PortInUseIsAnError) {
  StartWith({});
  HttpFrontendOptions options;
  options.listen_address =
      absl::StrCat("127.0.0.1:", base_.substr(base_.rfind(':') + 1));
  HttpFrontend second(options);
  absl::StatusOr<int> port = second.Start();
  EXPECT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(), HasSubstr("cannot listen on"));
}

TEST(SplitHostPortTest, Forms) {
  EXPECT_EQ(*SplitHostPort("0.0.0.0:9099"),
            std::make_pair(std::string("0.0.0.0"), 9099));
  EXPECT_EQ(*SplitHostPort(":9099"),
            std::make_pair(std::string("0.0.0.0"), 9099));
  EXPECT_EQ(*SplitHostPort("[::1]:80"), std::make_pair(std::string("::1"), 80));
  EXPECT_FALSE(SplitHostPort("localhost").ok());
  EXPECT_FALSE(SplitHostPort("h:99999").ok());
}

}  // namespace
}  // namespace fraisier::server
