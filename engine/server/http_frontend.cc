#include "engine/server/http_frontend.h"

#include <sys/socket.h>

#include <chrono>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "engine/base/logging.h"
#include "httplib.h"

namespace fraisier::server {
namespace {

HttpRequest Convert(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  out.content_type = req.get_header_value("Content-Type");
  out.content_encoding = req.get_header_value("Content-Encoding");
  out.remote_addr = req.remote_addr;
  out.origin = req.get_header_value("Origin");
  const size_t question = req.target.find('?');
  out.raw_path = req.target.substr(0, question);
  if (question != std::string::npos) {
    out.raw_query = req.target.substr(question + 1);
  }
  out.body = req.body;
  // httplib merges URL parameters and form-body parameters into one map;
  // it keeps repeated keys (match[]) as separate entries.
  for (const auto& [k, v] : req.params) out.params.emplace_back(k, v);
  return out;
}

// A bounded set of names for metrics: path parameters collapse.
std::string RouteName(absl::string_view path) {
  if (absl::StartsWith(path, "/api/v1/label/")) {
    return "/api/v1/label/:name/values";
  }
  return std::string(path);
}

void Fill(const HttpResponse& in, httplib::Response& res) {
  res.status = in.status;
  for (const auto& [k, v] : in.headers) res.set_header(k, v);
  if (in.status == 204) return;
  res.set_content(in.body, in.content_type);
}

}  // namespace

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
    : options_(std::move(options)),
      server_(std::make_unique<httplib::Server>()) {
  const int threads = options_.threads;
  server_->new_task_queue = [threads] {
    return new httplib::ThreadPool(threads);
  };
  server_->set_payload_max_length(options_.max_body_bytes);
  server_->set_keep_alive_max_count(options_.keep_alive_max_count);
  server_->set_keep_alive_timeout(
      absl::ToInt64Seconds(options_.keep_alive_timeout));
  server_->set_read_timeout(absl::ToInt64Seconds(options_.read_timeout));
  server_->set_write_timeout(absl::ToInt64Seconds(options_.write_timeout));
  // httplib's default sets SO_REUSEPORT, which lets a second ruler bind the
  // same port and silently take half the traffic. SO_REUSEADDR alone allows
  // a quick restart and still refuses a live listener.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  const int64_t limit = options_.max_body_bytes;
  server_->set_error_handler(
      [limit](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        if (res.status == 404) {
          res.set_content("404 page not found\n", "text/plain; charset=utf-8");
        } else if (res.status == 413) {
          res.set_content(
              absl::StrCat("request body exceeds the limit of ", limit,
                           " bytes (remote_write_receiver.max_body_size)\n"),
              "text/plain; charset=utf-8");
        }
      });
}

HttpFrontend::~HttpFrontend() { Stop(); }

void HttpFrontend::Handle(std::vector<std::string> methods, std::string path,
                          HttpHandler handler) {
  auto observe = options_.observe;
  auto wrapped = [path, handler, observe](const httplib::Request& req,
                                          httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    HttpResponse out = handler(Convert(req));
    Fill(out, res);
    if (observe) {
      observe(path, out.status,
              std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count());
    }
  };
  // httplib routes are regular expressions; escape the literal path.
  std::string pattern;
  for (char c : path) {
    if (std::string_view(".[]{}()\\*+?^$|-").find(c) !=
        std::string_view::npos) {
      pattern += '\\';
    }
    pattern += c;
  }
  for (const std::string& m : methods) {
    if (m == "GET") server_->Get(pattern, wrapped);
    if (m == "POST") server_->Post(pattern, wrapped);
    if (m == "PUT") server_->Put(pattern, wrapped);
  }
}

void HttpFrontend::HandlePrefix(std::string prefix, HttpHandler handler) {
  auto observe = options_.observe;
  auto wrapped = [handler, observe](const httplib::Request& req,
                                    httplib::Response& res) {
    auto start = std::chrono::steady_clock::now();
    HttpResponse out = handler(Convert(req));
    Fill(out, res);
    if (observe) {
      observe(out.status == 404 ? "unmatched" : RouteName(req.path), out.status,
              std::chrono::duration<double>(std::chrono::steady_clock::now() -
                                            start)
                  .count());
    }
  };
  std::string pattern = prefix + ".*";
  server_->Get(pattern, wrapped);
  server_->Post(pattern, wrapped);
}

absl::StatusOr<int> HttpFrontend::Start() {
  auto host_port = SplitHostPort(options_.listen_address);
  if (!host_port.ok()) return host_port.status();
  const auto& [host, port] = *host_port;
  int bound = port;
  if (port == 0) {
    bound = server_->bind_to_any_port(host);
    if (bound < 0) bound = 0;
  } else if (!server_->bind_to_port(host, port)) {
    bound = 0;
  }
  if (bound == 0) {
    return absl::UnavailableError(absl::StrCat(
        "cannot listen on ", options_.listen_address, ": ", strerror(errno)));
  }
  listening_done_ = false;
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listening_done_ = true;
  });
  // httplib's stop() does nothing until its accept loop has started, so a
  // Stop() right after Start() would leave the loop running forever. Hand
  // the server out only once the loop runs.
  while (!server_->is_running() && !listening_done_) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return bound;
}

void HttpFrontend::Stop() {
  if (server_ != nullptr) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace fraisier::server
