#include "engine/server/http_frontend.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <future>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/asio/steady_timer.hpp"
#include "boost/asio/write.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"
#include "engine/base/logging.h"
#include "engine/server/http_handler_pool.h"
#include "engine/server/http_url.h"

namespace fraisier::server {
namespace internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

// Beast reads max(512, free capacity) bytes at a time: without room
// reserved a 40 KB body takes ~80 reads and 5x the CPU (decision 3).
constexpr size_t kReadBufferBytes = 64 * 1024;
// Connections waiting to be accepted (Debian's cpp-httplib had 5: bursts
// of connects got dropped SYNs and resets).
constexpr int kListenBacklog = 1024;
// After an error response, how long the peer's input is read and dropped
// before the socket closes, so that the response is not destroyed by a
// reset (Prometheus must see the 4xx, or it retries for ever).
constexpr auto kLingerTime = std::chrono::seconds(1);
constexpr char kTextPlain[] = "text/plain; charset=utf-8";
constexpr char kContinue[] = "HTTP/1.1 100 Continue\r\n\r\n";

absl::string_view ToView(beast::string_view v) {
  return absl::string_view(v.data(), v.size());
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// A bounded set of names for metrics: path parameters collapse.
std::string RouteName(absl::string_view path) {
  if (absl::StartsWith(path, "/api/v1/label/")) {
    return "/api/v1/label/:name/values";
  }
  return std::string(path);
}

std::string RemoteAddress(const tcp::socket& socket) {
  try {
    beast::error_code ec;
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return std::string();
    return peer.address().to_string();
  } catch (...) {
    return std::string();
  }
}

}  // namespace

// What a request resolves to.
struct RouteMatch {
  const HttpHandler* handler = nullptr;
  bool prefix = false;
  int status = 200;   // 404 or 405 when there is no handler
  std::string route;  // for metrics
  std::string allow;  // for a 405
};

class Session;

// The listener, the io_contexts, the handler pool and the open sessions.
// Routes are written before Start() and only read afterwards. Start() and
// Stop() are not concurrent with each other; sessions call the rest from
// their io and handler threads.
class BeastServer {
 public:
  explicit BeastServer(HttpFrontendOptions options)
      : options_(std::move(options)) {}
  ~BeastServer() { Stop(); }

  void AddExact(std::vector<std::string> methods, std::string path,
                HttpHandler handler) {
    auto shared = std::make_shared<HttpHandler>(std::move(handler));
    for (std::string& method : methods) {
      exact_[path].emplace_back(std::move(method), shared);
    }
  }
  void AddPrefix(std::string prefix, HttpHandler handler) {
    prefixes_.emplace_back(std::move(prefix),
                           std::make_shared<HttpHandler>(std::move(handler)));
  }

  RouteMatch Resolve(absl::string_view method, absl::string_view path) const;

  absl::StatusOr<int> Start();
  void Stop();

  const HttpFrontendOptions& options() const { return options_; }
  void PostHandler(std::function<void()> task) { pool_.Post(std::move(task)); }
  void Observe(absl::string_view route, int status, double seconds) const {
    if (!options_.observe) return;
    try {
      options_.observe(route, status, seconds);
    } catch (...) {
      FR_LOG(ERROR) << "HTTP observe callback threw";
    }
  }

  void AddSession(const std::shared_ptr<Session>& session);
  void RemoveSession(Session* session);

 private:
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  void CloseAllSessions();
  // Stops and joins the threads and frees everything Start() made.
  void TearDown();

  const HttpFrontendOptions options_;
  absl::flat_hash_map<
      std::string,
      std::vector<std::pair<std::string, std::shared_ptr<HttpHandler>>>>
      exact_;
  std::vector<std::pair<std::string, std::shared_ptr<HttpHandler>>> prefixes_;

  // Made by Start(), freed by Stop().
  std::vector<std::unique_ptr<asio::io_context>> contexts_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> io_threads_;
  HandlerPool pool_;
  bool running_ = false;

  // On contexts_[0]'s thread only.
  std::unique_ptr<tcp::acceptor> acceptor_;
  std::unique_ptr<asio::steady_timer> retry_timer_;
  bool accepting_ = false;
  size_t next_context_ = 0;

  std::mutex sessions_mu_;
  std::condition_variable sessions_cv_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
};

// One connection: a chain of async reads and writes on its io_context,
// with a detour through the handler pool for each request, so an idle
// connection holds no thread and a slow handler stalls no other connection.
// All members are touched on the io_context's thread only, except request_
// and response_, which the handler thread owns between the post to the
// pool and the post back (the posts order the accesses).
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, BeastServer& server)
      : stream_(std::move(socket)),
        server_(server),
        options_(server.options()),
        remote_addr_(RemoteAddress(stream_.socket())) {
    buffer_.reserve(kReadBufferBytes);
  }
  ~Session() { server_.RemoveSession(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->WaitForRequest(); });
  }

  // Closes the connection now if it waits for a request, else after the
  // response being worked on.
  void Shutdown() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->idle_) self->stream_.cancel();
    });
  }

 private:
  void Expire(absl::Duration timeout) {
    if (timeout == absl::InfiniteDuration()) {
      stream_.expires_never();
    } else {
      stream_.expires_after(
          absl::ToChronoMilliseconds(std::max(timeout, absl::Milliseconds(1))));
    }
  }

  // Waits for the first byte of the next request (the keep-alive wait).
  void WaitForRequest() {
    if (closing_) return Close();
    if (buffer_.size() > 0) return ReadHeader();  // pipelined
    idle_ = true;
    Expire(served_ == 0 ? options_.read_timeout : options_.keep_alive_timeout);
    stream_.async_read_some(
        buffer_.prepare(kReadBufferBytes),
        [self = shared_from_this()](beast::error_code ec, size_t n) {
          self->idle_ = false;
          if (ec) return self->Close();
          self->buffer_.commit(n);
          self->ReadHeader();
        });
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(std::clamp<int64_t>(
        options_.max_header_bytes, 1024, std::numeric_limits<int32_t>::max())));
    if (options_.max_body_bytes > 0) {
      parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    } else {
      parser_->body_limit(boost::none);
    }
    // One deadline from the first byte until the body is read.
    Expire(options_.read_timeout);
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const bhttp::request<bhttp::string_body>& request = parser_->get();
    // curl sends "Expect: 100-continue" with large bodies and waits a
    // second for the go-ahead if it does not come.
    if (!parser_->is_done() && request.version() >= 11 &&
        absl::EqualsIgnoreCase(ToView(request[bhttp::field::expect]),
                               "100-continue")) {
      asio::async_write(
          stream_, asio::buffer(kContinue, sizeof(kContinue) - 1),
          [self = shared_from_this()](beast::error_code ec, size_t) {
            if (ec) return self->Close();
            self->ReadBody();
          });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnBody(beast::error_code());
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](
                          beast::error_code ec, size_t) { self->OnBody(ec); });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      const bhttp::request<bhttp::string_body>& request = parser_->get();
      RouteMatch match = server_.Resolve(
          ToView(request.method_string()),
          PercentDecode(ToView(request.target())
                            .substr(0, ToView(request.target()).find('?')),
                        false));
      return ReplyError(
          413, match.status == 200 ? match.route : "unmatched",
          absl::StrCat("request body exceeds the limit of ",
                       options_.max_body_bytes,
                       " bytes (remote_write_receiver.max_body_size)\n"));
    }
    if (ec == bhttp::error::header_limit) {
      return ReplyError(431, "unmatched", "request header fields too large\n");
    }
    if (&ec.category() ==
            &bhttp::make_error_code(bhttp::error::bad_target).category() &&
        ec != bhttp::error::end_of_stream &&
        ec != bhttp::error::partial_message) {
      return ReplyError(400, "unmatched",
                        absl::StrCat("bad request: ", ec.message(), "\n"));
    }
    // A timeout, the peer gone, or Stop().
    Close();
  }

  void OnBody(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    request_ = parser_->release();
    parser_.reset();
    ++served_;
    stream_.expires_never();
    const Clock::time_point start = Clock::now();
    std::string path;
    try {
      const absl::string_view target = ToView(request_.target());
      path = PercentDecode(target.substr(0, target.find('?')), false);
    } catch (...) {
      return Close();
    }
    RouteMatch match = server_.Resolve(ToView(request_.method_string()), path);
    if (match.handler == nullptr) {
      HttpResponse out;
      out.status = match.status;
      out.body = match.status == 405 ? "405 method not allowed\n"
                                     : "404 page not found\n";
      if (match.status == 405) out.headers.emplace_back("Allow", match.allow);
      SetResponse(std::move(out));
      server_.Observe(match.route, match.status, SecondsSince(start));
      return Write();
    }
    server_.PostHandler([self = shared_from_this(), match = std::move(match),
                         path = std::move(path), start]() mutable {
      self->RunHandler(std::move(match), std::move(path), start);
    });
  }

  // On a handler thread.
  void RunHandler(RouteMatch match, std::string path, Clock::time_point start) {
    int status = 500;
    try {
      HttpRequest request = Convert(std::move(path));
      HttpResponse out = (*match.handler)(request);
      status = out.status;
      SetResponse(std::move(out));
    } catch (const std::exception& e) {
      FR_LOG(ERROR) << "HTTP handler for " << match.route
                    << " failed: " << e.what();
      status = 500;
      SetResponse(HttpResponse(500, kTextPlain, "internal server error\n"));
    } catch (...) {
      FR_LOG(ERROR) << "HTTP handler for " << match.route << " failed";
      status = 500;
      SetResponse(HttpResponse(500, kTextPlain, "internal server error\n"));
    }
    server_.Observe(match.prefix && status == 404 ? "unmatched" : match.route,
                    status, SecondsSince(start));
    asio::post(stream_.get_executor(),
               [self = shared_from_this()] { self->Write(); });
  }

  HttpRequest Convert(std::string path) const {
    HttpRequest out;
    out.method = std::string(request_.method_string());
    out.path = std::move(path);
    const absl::string_view target = ToView(request_.target());
    const size_t question = target.find('?');
    out.raw_path = std::string(target.substr(0, question));
    if (question != absl::string_view::npos) {
      out.raw_query = std::string(target.substr(question + 1));
    }
    out.content_type = std::string(request_[bhttp::field::content_type]);
    out.content_encoding =
        std::string(request_[bhttp::field::content_encoding]);
    out.origin = std::string(request_[bhttp::field::origin]);
    out.remote_addr = remote_addr_;
    out.body = request_.body();
    AppendQuery(out.raw_query, &out.params);
    if (request_.method() == bhttp::verb::post &&
        absl::StartsWithIgnoreCase(out.content_type,
                                   "application/x-www-form-urlencoded")) {
      AppendQuery(out.body, &out.params);
    }
    return out;
  }

  // Builds response_ (a 500 if `in` cannot be expressed). Noexcept.
  void SetResponse(HttpResponse in) {
    const bool head = request_.method() == bhttp::verb::head;
    try {
      response_ = {};
      response_.version(request_.version() == 10 ? 10 : 11);
      response_.result(static_cast<unsigned>(in.status));
      const bool no_body =
          in.status == 204 || in.status == 304 || in.status < 200;
      if (!no_body && !in.content_type.empty()) {
        response_.set(bhttp::field::content_type, in.content_type);
      }
      for (const auto& [name, value] : in.headers) response_.set(name, value);
      if (no_body) return;
      response_.content_length(in.body.size());
      if (!head) response_.body() = std::move(in.body);
    } catch (...) {
      response_ = {};
      response_.version(11);
      response_.result(bhttp::status::internal_server_error);
      response_.set(bhttp::field::content_type, kTextPlain);
      response_.body() = "internal server error: invalid response\n";
      response_.content_length(response_.body().size());
    }
  }

  // Answers a request that could not be read, then closes.
  void ReplyError(int status, absl::string_view route, std::string body) {
    close_after_write_ = true;
    request_ = {};
    SetResponse(HttpResponse(status, kTextPlain, std::move(body)));
    server_.Observe(route, status, 0);
    Write();
  }

  void Write() {
    const bool keep_alive = !close_after_write_ && !closing_ &&
                            request_.keep_alive() &&
                            (options_.keep_alive_max_count <= 0 ||
                             served_ < options_.keep_alive_max_count);
    response_.keep_alive(keep_alive);
    request_ = {};  // frees the body
    Expire(options_.write_timeout);
    bhttp::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnWrite(ec);
        });
  }

  void OnWrite(beast::error_code ec) {
    const bool keep_alive = response_.keep_alive();
    const bool error = response_.result_int() >= 400;
    response_ = {};
    if (ec) return Close();
    if (!keep_alive) return error ? LingeringClose() : Close();
    WaitForRequest();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.close();
  }

  // Closing a socket with unread input sends a reset, which can destroy the
  // response (a 413) before the peer reads it; so after the response, read
  // and drop the peer's input for a while (nginx's lingering close).
  void LingeringClose() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    buffer_.clear();
    Drain();
  }

  void Drain() {
    stream_.async_read_some(
        buffer_.prepare(kReadBufferBytes),
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->stream_.close();
          self->Drain();
        });
  }

  beast::tcp_stream stream_;
  BeastServer& server_;
  const HttpFrontendOptions& options_;
  const std::string remote_addr_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::request<bhttp::string_body> request_;
  bhttp::response<bhttp::string_body> response_;
  int served_ = 0;
  bool idle_ = false;  // waiting for a request, nothing of it read yet
  bool closing_ = false;
  bool close_after_write_ = false;
};

RouteMatch BeastServer::Resolve(absl::string_view method,
                                absl::string_view path) const {
  RouteMatch match;
  const absl::string_view as = method == "HEAD" ? "GET" : method;
  if (auto it = exact_.find(path); it != exact_.end()) {
    match.route = std::string(path);
    std::vector<std::string> allowed;
    for (const auto& [m, handler] : it->second) {
      if (m == as) {
        match.handler = handler.get();
        return match;
      }
      allowed.push_back(m);
      if (m == "GET") allowed.push_back("HEAD");
    }
    match.status = 405;
    match.allow = absl::StrJoin(allowed, ", ");
    return match;
  }
  if (as == "GET" || as == "POST") {
    for (const auto& [prefix, handler] : prefixes_) {
      if (absl::StartsWith(path, prefix)) {
        match.handler = handler.get();
        match.prefix = true;
        match.route = RouteName(path);
        return match;
      }
    }
  }
  match.status = 404;
  match.route = "unmatched";
  return match;
}

void BeastServer::AddSession(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_.emplace(session.get(), session);
}

void BeastServer::RemoveSession(Session* session) {
  std::lock_guard<std::mutex> lock(sessions_mu_);
  sessions_.erase(session);
  if (sessions_.empty()) sessions_cv_.notify_all();
}

void BeastServer::CloseAllSessions() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(sessions_mu_);
    for (const auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->Shutdown();
}

void BeastServer::Accept() {
  if (!accepting_) return;
  asio::io_context& next = *contexts_[next_context_++ % contexts_.size()];
  acceptor_->async_accept(next.get_executor(),
                          [this](beast::error_code ec, tcp::socket socket) {
                            OnAccept(ec, std::move(socket));
                          });
}

void BeastServer::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!accepting_) return;
  if (ec) {
    if (ec == asio::error::operation_aborted) return;
    // Out of file descriptors, say: try again shortly, not in a busy loop.
    FR_LOG(WARNING) << "HTTP accept on " << options_.listen_address
                    << " failed: " << ec.message();
    retry_timer_->expires_after(std::chrono::milliseconds(100));
    retry_timer_->async_wait([this](beast::error_code ec) {
      if (!ec) Accept();
    });
    return;
  }
  socket.set_option(tcp::no_delay(true), ec);
  try {
    auto session = std::make_shared<Session>(std::move(socket), *this);
    AddSession(session);
    session->Start();
  } catch (const std::exception& e) {
    FR_LOG(ERROR) << "HTTP connection setup failed: " << e.what();
  }
  Accept();
}

absl::StatusOr<int> BeastServer::Start() {
  if (running_) return absl::FailedPreconditionError("already started");
  auto host_port = SplitHostPort(options_.listen_address);
  if (!host_port.ok()) return host_port.status();
  const auto& [host, port] = *host_port;
  const auto fail = [this](absl::string_view why) {
    TearDown();
    return absl::UnavailableError(
        absl::StrCat("cannot listen on ", options_.listen_address, ": ", why));
  };
  int bound = 0;
  try {
    int io_threads = options_.io_threads;
    if (io_threads <= 0) {
      io_threads = std::clamp<int>(std::thread::hardware_concurrency(), 1, 8);
    }
    for (int i = 0; i < io_threads; ++i) {
      // 1: each context is run by one thread.
      contexts_.push_back(std::make_unique<asio::io_context>(1));
    }
    acceptor_ = std::make_unique<tcp::acceptor>(*contexts_[0]);
    retry_timer_ = std::make_unique<asio::steady_timer>(*contexts_[0]);
    beast::error_code ec;
    tcp::endpoint endpoint;
    const asio::ip::address address = asio::ip::make_address(host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, static_cast<uint16_t>(port));
    } else {
      tcp::resolver resolver(*contexts_[0]);
      auto results = resolver.resolve(host, absl::StrCat(port),
                                      tcp::resolver::passive, ec);
      if (!ec && results.empty()) ec = asio::error::host_not_found;
      if (!ec) endpoint = results.begin()->endpoint();
    }
    if (!ec) acceptor_->open(endpoint.protocol(), ec);
    // SO_REUSEADDR allows a quick restart and still refuses a live
    // listener; SO_REUSEPORT (never set) would let a second ruler bind the
    // same port and silently take half the traffic.
    if (!ec) acceptor_->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_->bind(endpoint, ec);
    if (!ec) acceptor_->listen(kListenBacklog, ec);
    if (ec) return fail(ec.message());
    bound = acceptor_->local_endpoint(ec).port();
    if (ec) return fail(ec.message());

    running_ = true;
    if (!pool_.Start(std::max(1, options_.threads))) {
      return fail("cannot start the handler threads");
    }
    for (auto& context : contexts_) {
      work_.push_back(asio::make_work_guard(*context));
      asio::io_context* raw = context.get();
      io_threads_.emplace_back([raw] {
        for (;;) {
          try {
            raw->run();
            return;
          } catch (const std::exception& e) {
            FR_LOG(ERROR) << "HTTP I/O thread: " << e.what();
          } catch (...) {
            FR_LOG(ERROR) << "HTTP I/O thread: unknown exception";
          }
        }
      });
    }
    std::promise<void> accepting;
    std::future<void> accepting_future = accepting.get_future();
    asio::post(*contexts_[0], [this, &accepting] {
      accepting_ = true;
      Accept();
      accepting.set_value();
    });
    accepting_future.wait();
  } catch (const std::exception& e) {
    return fail(e.what());
  }
  return bound;
}

void BeastServer::Stop() {
  if (!running_) return;
  const Clock::time_point deadline =
      Clock::now() + absl::ToChronoMilliseconds(std::max(
                         options_.shutdown_timeout, absl::ZeroDuration()));
  try {
    std::promise<void> closed;
    std::future<void> closed_future = closed.get_future();
    asio::post(*contexts_[0], [this, &closed] {
      accepting_ = false;
      beast::error_code ignored;
      acceptor_->close(ignored);
      retry_timer_->cancel();
      closed.set_value();
    });
    closed_future.wait();
    CloseAllSessions();
    std::unique_lock<std::mutex> lock(sessions_mu_);
    if (!sessions_cv_.wait_until(lock, deadline,
                                 [this] { return sessions_.empty(); })) {
      FR_LOG(WARNING) << "HTTP: " << sessions_.size()
                      << " connections still busy after the shutdown timeout";
    }
  } catch (const std::exception& e) {
    FR_LOG(ERROR) << "HTTP shutdown: " << e.what();
  }
  TearDown();
}

void BeastServer::TearDown() {
  work_.clear();
  for (auto& context : contexts_) context->stop();
  for (std::thread& thread : io_threads_) thread.join();
  io_threads_.clear();
  // Requests still waiting for a handler thread are dropped.
  pool_.Join();
  // Destroying a context destroys its sessions; the acceptor goes first.
  retry_timer_.reset();
  acceptor_.reset();
  contexts_.clear();
  accepting_ = false;
  running_ = false;
}

}  // namespace internal

absl::StatusOr<std::pair<std::string, int>> SplitHostPort(
    absl::string_view address) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address, "\": missing port"));
  }
  std::string host(address.substr(0, colon));
  int port = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &port) || port < 0 ||
      port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("address \"", address, "\": invalid port"));
  }
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty()) host = "0.0.0.0";
  return std::make_pair(host, port);
}

HttpFrontend::HttpFrontend(HttpFrontendOptions options)
    : server_(std::make_unique<internal::BeastServer>(std::move(options))) {}

HttpFrontend::~HttpFrontend() { Stop(); }

void HttpFrontend::Handle(std::vector<std::string> methods, std::string path,
                          HttpHandler handler) {
  server_->AddExact(std::move(methods), std::move(path), std::move(handler));
}

void HttpFrontend::HandlePrefix(std::string prefix, HttpHandler handler) {
  server_->AddPrefix(std::move(prefix), std::move(handler));
}

absl::StatusOr<int> HttpFrontend::Start() { return server_->Start(); }

void HttpFrontend::Stop() { server_->Stop(); }

}  // namespace fraisier::server
