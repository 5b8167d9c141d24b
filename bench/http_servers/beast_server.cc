// The remote-write and query endpoints on Boost.Beast 1.74 (Debian's
// libboost-dev, header-only): --threads io_contexts, each run by one
// thread (Asio's io_context-per-core design: no locking inside a context,
// no strands); the acceptor hands connections to them in turn. Every
// connection is a chain of async reads and writes, so an idle keep-alive
// connection holds no thread. (One io_context shared by all threads cost
// about 2x the CPU per request at 2 threads and 2.7x at 8, measured.)
//
//   beast_server --port=P [--threads=8] [--keep_alive_timeout_s=5]
//       [--read_timeout_s=5] [--max_body_bytes=16777216]
//
// SIGTERM or SIGINT: the acceptor closes, idle connections are closed,
// requests being read or answered finish (their connection closes after
// the response), then the threads stop. `shutdown_ms=` goes to stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "bench/http_servers/common.h"
#include "boost/asio/dispatch.hpp"
#include "boost/asio/executor_work_guard.hpp"
#include "boost/asio/io_context.hpp"
#include "boost/asio/ip/tcp.hpp"
#include "boost/asio/post.hpp"
#include "boost/beast/core.hpp"
#include "boost/beast/http.hpp"

namespace fraisier::bench::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

constexpr char kUsage[] =
    "beast_server --port=P [--threads=8] [--keep_alive_timeout_s=5] "
    "[--read_timeout_s=5] [--max_body_bytes=16777216]";

class Session;

constexpr size_t kReadBufferBytes = 64 * 1024;

// The open sessions, so that shutdown can reach the idle ones.
class Registry {
 public:
  void Add(const std::shared_ptr<Session>& session);
  void Remove(Session* session);
  // Asks every session to close when idle; returns how many are open.
  void CloseAll();
  size_t size() {
    std::lock_guard<std::mutex> lock(mutex_);
    return sessions_.size();
  }

 private:
  std::mutex mutex_;
  std::set<Session*> sessions_;
  std::vector<std::weak_ptr<Session>> weak_;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const ServerOptions& options, Registry& registry)
      : stream_(std::move(socket)), options_(options), registry_(registry) {
    // Beast reads max(512, free capacity) bytes at a time: without room
    // reserved a 40 KB body takes ~80 reads.
    buffer_.reserve(kReadBufferBytes);
  }
  ~Session() { registry_.Remove(this); }

  void Start() {
    asio::dispatch(stream_.get_executor(),
                   [self = shared_from_this()] { self->Read(); });
  }

  // Closes the connection now if it waits for a request, else after the
  // response being worked on.
  void Shutdown() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->idle_ && self->buffer_.size() == 0 &&
          !self->parser_->got_some()) {
        beast::error_code ignored;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
        self->stream_.cancel();
      }
    });
  }

 private:
  void Read() {
    if (closing_) return Close();
    parser_.emplace();
    parser_->body_limit(static_cast<uint64_t>(options_.max_body_bytes));
    idle_ = buffer_.size() == 0;
    // One deadline covers the keep-alive wait and reading the request.
    stream_.expires_after(std::chrono::seconds(
        std::max(options_.keep_alive_timeout_s, options_.read_timeout_s)));
    bhttp::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          self->OnHeader(ec);
        });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    // The parser checks Content-Length against body_limit with the header.
    if (ec == bhttp::error::body_limit) {
      return RespondAndClose(bhttp::status::payload_too_large);
    }
    if (ec) return Close();
    stream_.expires_after(std::chrono::seconds(options_.read_timeout_s));
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](
                          beast::error_code ec, size_t) { self->OnRead(ec); });
  }

  void OnRead(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return RespondAndClose(bhttp::status::payload_too_large);
    }
    if (ec) return Close();
    bhttp::request<bhttp::string_body> request = parser_->release();
    response_ = {};
    response_.version(request.version());
    response_.keep_alive(request.keep_alive() && !closing_);
    const beast::string_view target = request.target();
    const size_t question = target.find('?');
    const beast::string_view path = target.substr(0, question);
    if (path == "/api/v1/write" && request.method() == bhttp::verb::post) {
      Sink(TouchBody(request.body().data(), request.body().size()));
      response_.result(bhttp::status::no_content);
    } else if (path == "/api/v1/query" &&
               request.method() == bhttp::verb::get) {
      const beast::string_view query_string =
          question == beast::string_view::npos ? beast::string_view()
                                               : target.substr(question + 1);
      response_.result(bhttp::status::ok);
      response_.set(bhttp::field::content_type, "application/json");
      response_.body() = QueryResponse(
          absl::string_view(query_string.data(), query_string.size()));
    } else {
      response_.result(bhttp::status::not_found);
    }
    response_.prepare_payload();
    Write();
  }

  void RespondAndClose(bhttp::status status) {
    response_ = {};
    response_.result(status);
    response_.keep_alive(false);
    response_.prepare_payload();
    Write();
  }

  void Write() {
    stream_.expires_after(std::chrono::seconds(options_.read_timeout_s));
    bhttp::async_write(
        stream_, response_,
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (ec) return self->Close();
          if (self->response_.result_int() >= 400 &&
              !self->response_.keep_alive()) {
            return self->LingeringClose();
          }
          if (!self->response_.keep_alive()) return self->Close();
          self->Read();
        });
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  // Closing a socket with unread input sends a reset, which can destroy the
  // response (a 413) before the peer reads it; so after the response, read
  // and drop the peer's input for up to a second (nginx's lingering close).
  void LingeringClose() {
    Close();
    stream_.expires_after(std::chrono::seconds(1));
    Drain();
  }

  void Drain() {
    stream_.async_read_some(
        buffer_.prepare(kReadBufferBytes),
        [self = shared_from_this()](beast::error_code ec, size_t) {
          if (!ec) self->Drain();
        });
  }

  beast::tcp_stream stream_;
  const ServerOptions& options_;
  Registry& registry_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  bhttp::response<bhttp::string_body> response_;
  bool idle_ = true;
  bool closing_ = false;
};

void Registry::Add(const std::shared_ptr<Session>& session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.insert(session.get());
  weak_.push_back(session);
  if (weak_.size() > 2 * sessions_.size() + 64) {
    std::erase_if(weak_,
                  [](const std::weak_ptr<Session>& s) { return s.expired(); });
  }
}

void Registry::Remove(Session* session) {
  std::lock_guard<std::mutex> lock(mutex_);
  sessions_.erase(session);
}

void Registry::CloseAll() {
  std::vector<std::shared_ptr<Session>> open;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& weak : weak_) {
      if (auto session = weak.lock()) open.push_back(std::move(session));
    }
  }
  for (const auto& session : open) session->Shutdown();
}

class Listener {
 public:
  Listener(std::vector<std::unique_ptr<asio::io_context>>& contexts,
           const ServerOptions& options, Registry& registry)
      : contexts_(contexts),
        acceptor_(*contexts[0]),
        options_(options),
        registry_(registry) {}

  bool Listen() {
    beast::error_code ec;
    const tcp::endpoint endpoint(asio::ip::make_address(options_.host, ec),
                                 static_cast<uint16_t>(options_.port));
    if (ec) return false;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) return false;
    Accept();
    return true;
  }

  void Close() {
    asio::dispatch(acceptor_.get_executor(), [this] {
      closed_ = true;
      beast::error_code ignored;
      acceptor_.close(ignored);
    });
  }

 private:
  void Accept() {
    asio::io_context& next = *contexts_[next_++ % contexts_.size()];
    acceptor_.async_accept(next.get_executor(),
                           [this](beast::error_code ec, tcp::socket socket) {
                             if (closed_) return;
                             if (!ec) {
                               socket.set_option(tcp::no_delay(true), ec);
                               auto session = std::make_shared<Session>(
                                   std::move(socket), options_, registry_);
                               registry_.Add(session);
                               session->Start();
                             }
                             Accept();
                           });
  }

  std::vector<std::unique_ptr<asio::io_context>>& contexts_;
  size_t next_ = 0;
  tcp::acceptor acceptor_;
  const ServerOptions& options_;
  Registry& registry_;
  bool closed_ = false;
};

int Main(int argc, char** argv) {
  BlockTerminationSignals();
  Flags flags(argc, argv);
  const ServerOptions options = ReadServerOptions(flags);
  flags.Check(kUsage);

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int i = 0; i < options.threads; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  Registry registry;
  Listener listener(contexts, options, registry);
  if (!listener.Listen()) {
    std::fprintf(stderr, "cannot listen on %s:%d\n", options.host.c_str(),
                 options.port);
    return 1;
  }
  // Keep run() going while a context has no connection.
  using WorkGuard = asio::executor_work_guard<asio::io_context::executor_type>;
  std::vector<WorkGuard> work;
  std::vector<std::thread> threads;
  for (auto& context : contexts) {
    work.push_back(asio::make_work_guard(*context));
    threads.emplace_back([&context] { context->run(); });
  }
  std::fprintf(stderr, "listening on %s:%d threads=%d\n", options.host.c_str(),
               options.port, options.threads);

  WaitForTerminationSignal();
  const double stop_requested_ms = NowMs();
  listener.Close();
  registry.CloseAll();
  work.clear();
  // Sessions end by themselves once idle; give in-flight requests up to
  // the read timeout, then stop whatever is left.
  const double deadline_ms =
      stop_requested_ms + 1000.0 * options.read_timeout_s;
  while (registry.size() > 0 && NowMs() < deadline_ms) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (auto& context : contexts) context->stop();
  for (auto& thread : threads) thread.join();
  std::fprintf(stderr, "shutdown_ms=%.0f open_at_stop=%zu\n",
               NowMs() - stop_requested_ms, registry.size());
  return 0;
}

}  // namespace
}  // namespace fraisier::bench::http

int main(int argc, char** argv) {
  return fraisier::bench::http::Main(argc, argv);
}
