// Load generator for the HTTP server candidates: HTTP/1.1 keep-alive over
// loopback, no external tools. Prints one `key=value` line.
//
//   loadgen --port=P --mode=post|get [--connections=16] [--duration_s=10]
//       [--warmup_s=1] [--body_bytes=40960] [--threads=2]
//       [--rate_per_conn=0] [--server_pid=PID]
//     C connections spread over --threads epoll loops fire requests for
//     warmup + duration seconds; only the last `duration` counts. With
//     --rate_per_conn=R each connection sends R requests/s (paced, as a
//     remote-write shard does), else back to back. Reports requests/s,
//     MB/s (request + response bytes), p50/p99/max latency (from the first
//     byte sent to the last byte of the response), errors, reconnects, and
//     the server's CPU seconds over the window (utime + stime of
//     /proc/PID/stat) and requests per server CPU-second.
//
//   loadgen --port=P --mode=idle --connections=256 [--server_pid=PID]
//     Opens C connections, sends one GET on each and keeps them open
//     without another request. Reports how many were answered within
//     --idle_wait_s (2), the server's CPU use while they sit idle
//     (--idle_s, 3), then the latency of one GET on a fresh connection
//     (or that it got no answer within --probe_timeout_s, 20).
//
//   loadgen --port=P --mode=shutdown --connections=256 --server_pid=PID
//     C idle connections as above plus one POST whose body is half sent;
//     sends SIGTERM to the server, then the rest of the body. Reports the
//     status of that in-flight request, how many idle connections the
//     server closed, and how long until the server process exited.
//
//   loadgen --port=P --mode=limit [--declared_bytes=67108864]
//     One POST declaring a body larger than the server's limit, streamed in
//     64 KiB pieces. Reports the status answered, how much body was sent
//     before the answer, and whether a GET on a new connection still works.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "bench/http_servers/common.h"
#include "bench/http_servers/http_messages.h"
#include "bench/proc_stats.h"

namespace fraisier::bench::http {
namespace {

using Clock = std::chrono::steady_clock;

constexpr char kUsage[] =
    "loadgen --port=P --mode=post|get|idle|shutdown|limit [--connections=16] "
    "[--duration_s=10] [--warmup_s=1] [--body_bytes=40960] [--threads=2] "
    "[--rate_per_conn=0] [--server_pid=PID] [--idle_wait_s=2] [--idle_s=3] "
    "[--probe_timeout_s=20] [--declared_bytes=67108864]";

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// ---------------------------------------------------------------------------
// Throughput: epoll loops.

struct Options {
  int port = 0;
  bool post = true;
  int connections = 16;
  double duration_s = 10;
  double warmup_s = 1;
  size_t body_bytes = 40960;
  int threads = 2;
  double rate_per_conn = 0;
  int server_pid = 0;
};

// What went wrong, for Totals::error_kinds.
enum ErrorKind {
  kConnectError,  // connect() failed.
  kSendError,     // send() failed (reset by the server).
  kClosedError,   // The server closed the connection before answering.
  kRecvError,     // recv() failed (reset by the server).
  kBadResponse,   // Malformed or chunked response.
  kNumErrorKinds
};

struct Totals {
  uint64_t error_kinds[kNumErrorKinds] = {};
  uint64_t requests = 0;
  uint64_t bytes = 0;
  uint64_t errors = 0;
  uint64_t reconnects = 0;
  uint64_t idle_closes = 0;
  uint64_t bad_status = 0;
  uint64_t starved = 0;  // Connections with no answer within the window.
  double oldest_pending_ms = 0;  // Age of the oldest request unanswered at
                                 // the end of the window.
  std::vector<uint32_t> latencies_us;
};

class Loop {
 public:
  Loop(const Options& options, const std::string& request, int connections,
       Clock::time_point start, Clock::time_point measure_from,
       Clock::time_point end)
      : options_(options),
        request_(request),
        conns_(static_cast<size_t>(connections)),
        start_(start),
        measure_from_(measure_from),
        end_(end) {}

  void Run(int first_index, int total_connections) {
    epoll_ = epoll_create1(EPOLL_CLOEXEC);
    const auto interval =
        options_.rate_per_conn > 0
            ? std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(1.0 / options_.rate_per_conn))
            : Clock::duration::zero();
    for (size_t i = 0; i < conns_.size(); ++i) {
      // Paced connections start spread over one interval.
      conns_[i].next_send =
          start_ + interval *
                       (first_index + static_cast<int>(i) * options_.threads) /
                       total_connections;
      conns_[i].state = State::kWaiting;
    }
    interval_ = interval;
    epoll_event events[256];
    while (true) {
      Clock::time_point now = Clock::now();
      if (now >= end_) break;
      Clock::time_point wake = end_;
      for (size_t i = 0; i < conns_.size(); ++i) {
        Conn& c = conns_[i];
        if (c.state != State::kWaiting) continue;
        if (c.next_send <= now) {
          StartRequest(i);
        } else {
          wake = std::min(wake, c.next_send);
        }
      }
      const int timeout_ms = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(wake - now)
              .count() +
          1);
      const int n = epoll_wait(epoll_, events, 256, timeout_ms);
      for (int e = 0; e < n; ++e) {
        HandleEvent(events[e].data.u32, events[e].events);
      }
    }
    for (Conn& c : conns_) {
      if (c.completed == 0) ++totals_.starved;
      if (c.fd >= 0 && c.state != State::kWaiting && c.started < end_) {
        totals_.oldest_pending_ms =
            std::max(totals_.oldest_pending_ms,
                     1000 * Seconds(end_ - std::max(c.started, start_)));
      }
      if (c.fd >= 0) close(c.fd);
    }
    close(epoll_);
  }

  Totals& totals() { return totals_; }

 private:
  enum class State { kConnecting, kWriting, kReading, kWaiting };
  struct Conn {
    int fd = -1;
    State state = State::kWaiting;
    size_t sent = 0;
    std::string in;
    Clock::time_point started;
    Clock::time_point next_send;
    uint32_t interest = 0;
    uint64_t completed = 0;  // Requests answered within the window.
  };

  void Watch(size_t i, uint32_t interest) {
    Conn& c = conns_[i];
    if (c.interest == interest) return;
    epoll_event event = {};
    event.events = interest;
    event.data.u32 = static_cast<uint32_t>(i);
    epoll_ctl(epoll_, c.interest == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD, c.fd,
              &event);
    c.interest = interest;
  }

  void CloseConn(size_t i) {
    Conn& c = conns_[i];
    if (c.fd >= 0) close(c.fd);  // Also leaves the epoll set.
    c.fd = -1;
    c.interest = 0;
    c.in.clear();
  }

  // Drops the connection after a failure; retries 10 ms later.
  void Fail(size_t i, int kind) {
    if (Clock::now() >= measure_from_) {
      ++totals_.errors;
      ++totals_.error_kinds[kind];
    }
    CloseConn(i);
    conns_[i].state = State::kWaiting;
    conns_[i].next_send = Clock::now() + std::chrono::milliseconds(10);
  }

  void StartRequest(size_t i) {
    Conn& c = conns_[i];
    if (c.fd < 0) {
      c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      const sockaddr_in address = Loopback(options_.port);
      const int rc = connect(c.fd, reinterpret_cast<const sockaddr*>(&address),
                             sizeof(address));
      if (rc < 0 && errno != EINPROGRESS) return Fail(i, kConnectError);
      c.state = State::kConnecting;
      c.started = Clock::now();  // Connection set-up counts as latency.
      Watch(i, EPOLLOUT | EPOLLIN);
      return;
    }
    c.started = Clock::now();
    BeginWrite(i);
  }

  void BeginWrite(size_t i) {
    Conn& c = conns_[i];
    c.state = State::kWriting;
    c.sent = 0;
    c.in.clear();
    Write(i);
  }

  void Write(size_t i) {
    Conn& c = conns_[i];
    while (c.sent < request_.size()) {
      const ssize_t n = send(c.fd, request_.data() + c.sent,
                             request_.size() - c.sent, MSG_NOSIGNAL);
      if (n > 0) {
        c.sent += static_cast<size_t>(n);
      } else if (n < 0 && errno == EAGAIN) {
        Watch(i, EPOLLIN | EPOLLOUT);
        return;
      } else {
        return Fail(i, kSendError);
      }
    }
    c.state = State::kReading;
    Watch(i, EPOLLIN);
  }

  void HandleEvent(uint32_t i, uint32_t events) {
    Conn& c = conns_[i];
    if (c.fd < 0) return;
    if (c.state == State::kConnecting) {
      int error = 0;
      socklen_t length = sizeof(error);
      getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &error, &length);
      if (error != 0) return Fail(i, kConnectError);
      if ((events & EPOLLOUT) == 0) return;
      return BeginWrite(i);
    }
    if ((events & EPOLLOUT) && c.state == State::kWriting) Write(i);
    if (c.fd < 0) return;
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) Read(i);
  }

  void Read(size_t i) {
    Conn& c = conns_[i];
    char buffer[65536];
    bool eof = false;
    bool reset = false;
    while (true) {
      const ssize_t n = recv(c.fd, buffer, sizeof(buffer), 0);
      if (n > 0) {
        c.in.append(buffer, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EAGAIN) break;
      eof = true;
      reset = n < 0;
      break;
    }
    const bool busy = c.state == State::kReading || c.state == State::kWriting;
    std::optional<Response> response;
    if (busy) response = ParseResponse(c.in);
    if (!response.has_value()) {
      if (!eof) return;
      if (!busy && c.in.empty()) {
        // The server closed an idle keep-alive connection.
        ++totals_.idle_closes;
        CloseConn(i);
        return;
      }
      return Fail(i, reset ? kRecvError : kClosedError);
    }
    const Clock::time_point now = Clock::now();
    if (c.started >= measure_from_ && now < end_) {
      ++totals_.requests;
      ++c.completed;
      totals_.bytes += request_.size() + response->total_bytes;
      totals_.latencies_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(now - c.started)
              .count()));
      if (response->status < 200 || response->status > 299) {
        ++totals_.bad_status;
      }
    }
    if (response->status < 0) return Fail(i, kBadResponse);
    c.in.erase(0, response->total_bytes);
    if (response->close || eof || c.state == State::kWriting) {
      if (now >= measure_from_) ++totals_.reconnects;
      CloseConn(i);
    }
    if (interval_ == Clock::duration::zero()) {
      c.state = State::kWaiting;
      c.next_send = now;
      StartRequest(i);
      return;
    }
    c.state = State::kWaiting;
    c.next_send += interval_;
    if (c.next_send < now) c.next_send = now;
  }

  const Options& options_;
  const std::string& request_;
  std::vector<Conn> conns_;
  const Clock::time_point start_;
  const Clock::time_point measure_from_;
  const Clock::time_point end_;
  Clock::duration interval_ = Clock::duration::zero();
  int epoll_ = -1;
  Totals totals_;
};

void SleepUntil(Clock::time_point when) { std::this_thread::sleep_until(when); }

int RunThroughput(const Options& options) {
  const std::string request =
      options.post
          ? PostRequest(options.port, options.body_bytes, options.body_bytes)
          : GetRequest(options.port);
  const Clock::time_point start = Clock::now();
  const Clock::time_point measure_from =
      start + std::chrono::duration_cast<Clock::duration>(
                  std::chrono::duration<double>(options.warmup_s));
  const Clock::time_point end =
      measure_from + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(options.duration_s));
  std::vector<std::unique_ptr<Loop>> loops;
  for (int t = 0; t < options.threads; ++t) {
    const int count = options.connections / options.threads +
                      (t < options.connections % options.threads ? 1 : 0);
    if (count == 0) continue;
    loops.push_back(std::make_unique<Loop>(options, request, count, start,
                                           measure_from, end));
  }
  std::vector<std::thread> threads;
  for (size_t t = 0; t < loops.size(); ++t) {
    threads.emplace_back(
        [&, t] { loops[t]->Run(static_cast<int>(t), options.connections); });
  }
  SleepUntil(measure_from);
  const double server_cpu_0 = ProcessCpuSeconds(options.server_pid);
  const double own_cpu_0 = OwnCpuSeconds();
  SleepUntil(end);
  const double server_cpu_1 = ProcessCpuSeconds(options.server_pid);
  const double own_cpu_1 = OwnCpuSeconds();
  for (auto& thread : threads) thread.join();

  Totals all;
  for (auto& loop : loops) {
    Totals& t = loop->totals();
    all.requests += t.requests;
    all.bytes += t.bytes;
    all.errors += t.errors;
    for (int k = 0; k < kNumErrorKinds; ++k) {
      all.error_kinds[k] += t.error_kinds[k];
    }
    all.reconnects += t.reconnects;
    all.idle_closes += t.idle_closes;
    all.bad_status += t.bad_status;
    all.starved += t.starved;
    all.oldest_pending_ms =
        std::max(all.oldest_pending_ms, t.oldest_pending_ms);
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(),
                            t.latencies_us.end());
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  auto percentile = [&](double p) {
    if (all.latencies_us.empty()) return 0.0;
    const size_t index = std::min(
        all.latencies_us.size() - 1,
        static_cast<size_t>(p * static_cast<double>(all.latencies_us.size())));
    return all.latencies_us[index] / 1000.0;
  };
  const double server_cpu = server_cpu_1 - server_cpu_0;
  std::printf(
      "mode=%s conns=%d rate_per_conn=%g rps=%.0f mbps=%.1f p50_ms=%.2f "
      "p99_ms=%.2f max_ms=%.1f errors=%llu "
      "errors_connect/send/closed/recv/bad=%llu/%llu/%llu/%llu/%llu "
      "reconnects=%llu idle_closes=%llu "
      "bad_status=%llu starved_conns=%llu oldest_pending_ms=%.0f "
      "server_cpu_s=%.2f req_per_cpu_s=%.0f "
      "loadgen_cpu_s=%.2f\n",
      options.post ? "post" : "get", options.connections, options.rate_per_conn,
      all.requests / options.duration_s, all.bytes / options.duration_s / 1e6,
      percentile(0.5), percentile(0.99),
      all.latencies_us.empty() ? 0.0 : all.latencies_us.back() / 1000.0,
      static_cast<unsigned long long>(all.errors),
      static_cast<unsigned long long>(all.error_kinds[kConnectError]),
      static_cast<unsigned long long>(all.error_kinds[kSendError]),
      static_cast<unsigned long long>(all.error_kinds[kClosedError]),
      static_cast<unsigned long long>(all.error_kinds[kRecvError]),
      static_cast<unsigned long long>(all.error_kinds[kBadResponse]),
      static_cast<unsigned long long>(all.reconnects),
      static_cast<unsigned long long>(all.idle_closes),
      static_cast<unsigned long long>(all.bad_status),
      static_cast<unsigned long long>(all.starved), all.oldest_pending_ms,
      server_cpu, server_cpu > 0 ? all.requests / server_cpu : 0.0,
      own_cpu_1 - own_cpu_0);
  return 0;
}

// ---------------------------------------------------------------------------
// Behaviour checks: blocking sockets and poll.

int Connect(int port) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const sockaddr_in address = Loopback(port);
  if (connect(fd, reinterpret_cast<const sockaddr*>(&address),
              sizeof(address)) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    const ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// What one connection got back so far.
struct Peer {
  int fd = -1;
  std::string in;
  bool answered = false;
  bool closed = false;  // EOF or reset seen.
  int status = 0;
};

// Reads whatever is available on `peer` without blocking.
void Drain(Peer& peer) {
  char buffer[65536];
  while (!peer.closed) {
    const ssize_t n = recv(peer.fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    if (n > 0) {
      peer.in.append(buffer, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    peer.closed = true;
  }
  if (!peer.answered) {
    if (auto response = ParseResponse(peer.in)) {
      peer.answered = true;
      peer.status = response->status;
      peer.in.erase(0, std::min(peer.in.size(), response->total_bytes));
    }
  }
}

// Polls `peers` until `done` holds or `timeout` passes.
template <typename Done>
void PollUntil(std::vector<Peer>& peers, Clock::duration timeout, Done done) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<pollfd> fds;
  while (!done() && Clock::now() < deadline) {
    fds.clear();
    for (const Peer& peer : peers) {
      fds.push_back({peer.closed ? -1 : peer.fd, POLLIN, 0});
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - Clock::now());
    if (poll(fds.data(), fds.size(),
             static_cast<int>(std::clamp<int64_t>(left.count(), 1, 50))) < 0) {
      continue;
    }
    for (size_t i = 0; i < peers.size(); ++i) {
      if (fds[i].revents != 0) Drain(peers[i]);
    }
  }
}

size_t CountAnswered(const std::vector<Peer>& peers) {
  return static_cast<size_t>(std::count_if(
      peers.begin(), peers.end(), [](const Peer& p) { return p.answered; }));
}

// Opens `count` connections and sends one GET on each.
std::vector<Peer> OpenIdle(int port, int count) {
  const std::string get = GetRequest(port);
  std::vector<Peer> peers;
  for (int i = 0; i < count; ++i) {
    Peer peer;
    peer.fd = Connect(port);
    if (peer.fd < 0 || !SendAll(peer.fd, get)) peer.closed = true;
    peers.push_back(std::move(peer));
  }
  return peers;
}

// A GET on a fresh connection: milliseconds to the answer, or -1.
double Probe(int port, double timeout_s) {
  const Clock::time_point start = Clock::now();
  std::vector<Peer> probe(1);
  probe[0].fd = Connect(port);
  if (probe[0].fd < 0 || !SendAll(probe[0].fd, GetRequest(port))) return -1;
  PollUntil(probe,
            std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(timeout_s)),
            [&] { return probe[0].answered || probe[0].closed; });
  close(probe[0].fd);
  if (!probe[0].answered || probe[0].status != 200) return -1;
  return 1000 * Seconds(Clock::now() - start);
}

int RunIdle(Flags& flags, int port, int connections, int server_pid) {
  const double idle_wait_s = flags.Double("idle_wait_s", 2);
  const double idle_s = flags.Double("idle_s", 3);
  const double probe_timeout_s = flags.Double("probe_timeout_s", 20);
  flags.Check(kUsage);
  std::vector<Peer> peers = OpenIdle(port, connections);
  const Clock::time_point opened = Clock::now();
  PollUntil(peers,
            std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(idle_wait_s)),
            [&] { return CountAnswered(peers) == peers.size(); });
  const size_t answered_early = CountAnswered(peers);
  const double answered_early_s = Seconds(Clock::now() - opened);
  const double cpu_0 = ProcessCpuSeconds(server_pid);
  PollUntil(peers,
            std::chrono::duration_cast<Clock::duration>(
                std::chrono::duration<double>(idle_s)),
            [] { return false; });
  const double cpu_1 = ProcessCpuSeconds(server_pid);
  const double probe_ms = Probe(port, probe_timeout_s);
  for (Peer& peer : peers) Drain(peer);
  std::printf(
      "mode=idle conns=%d answered=%zu answered_within_s=%.1f "
      "server_cores_while_idle=%.3f probe_ms=%s answered_at_end=%zu\n",
      connections, answered_early, answered_early_s, (cpu_1 - cpu_0) / idle_s,
      probe_ms < 0 ? absl::StrCat("none_in_", probe_timeout_s, "s").c_str()
                   : absl::StrCat(static_cast<int>(probe_ms + 0.5)).c_str(),
      CountAnswered(peers));
  for (Peer& peer : peers) close(peer.fd);
  return 0;
}

int RunShutdown(Flags& flags, int port, int connections, int server_pid,
                size_t body_bytes) {
  const double exit_timeout_s = flags.Double("exit_timeout_s", 30);
  flags.Check(kUsage);
  if (server_pid <= 0) {
    std::fprintf(stderr, "--mode=shutdown needs --server_pid\n");
    return 2;
  }
  std::vector<Peer> peers = OpenIdle(port, connections);
  PollUntil(peers, std::chrono::seconds(2),
            [&] { return CountAnswered(peers) == peers.size(); });
  const size_t answered = CountAnswered(peers);
  // The in-flight request: headers and half of the body before SIGTERM.
  const std::string post = PostRequest(port, body_bytes, body_bytes);
  const size_t half = post.size() - body_bytes / 2;
  std::vector<Peer> in_flight(1);
  in_flight[0].fd = Connect(port);
  bool sent = in_flight[0].fd >= 0 &&
              SendAll(in_flight[0].fd, absl::string_view(post).substr(0, half));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const Clock::time_point signalled = Clock::now();
  kill(server_pid, SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  sent = sent && SendAll(in_flight[0].fd, absl::string_view(post).substr(half));
  PollUntil(in_flight, std::chrono::seconds(10),
            [&] { return in_flight[0].answered || in_flight[0].closed; });
  std::string in_flight_result =
      in_flight[0].answered ? absl::StrCat(in_flight[0].status)
      : in_flight[0].closed ? std::string("closed_without_answer")
                            : std::string("no_answer_in_10s");
  if (!sent) in_flight_result = "send_failed";
  double exit_s = -1;
  while (Seconds(Clock::now() - signalled) < exit_timeout_s) {
    if (!ProcessAlive(server_pid)) {
      exit_s = Seconds(Clock::now() - signalled);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  for (Peer& peer : peers) Drain(peer);
  const size_t closed = static_cast<size_t>(std::count_if(
      peers.begin(), peers.end(), [](const Peer& p) { return p.closed; }));
  std::printf(
      "mode=shutdown conns=%d idle_answered=%zu in_flight=%s exit_s=%s "
      "idle_closed_by_server=%zu\n",
      connections, answered, in_flight_result.c_str(),
      exit_s < 0
          ? absl::StrCat("still_running_after_", exit_timeout_s, "s").c_str()
          : absl::StrCat(static_cast<int>(exit_s * 1000 + 0.5) / 1000.0)
                .c_str(),
      closed);
  for (Peer& peer : peers) close(peer.fd);
  if (in_flight[0].fd >= 0) close(in_flight[0].fd);
  return 0;
}

int RunLimit(Flags& flags, int port) {
  const size_t declared =
      static_cast<size_t>(flags.Int("declared_bytes", 64 << 20));
  flags.Check(kUsage);
  const Clock::time_point start = Clock::now();
  std::vector<Peer> peer(1);
  peer[0].fd = Connect(port);
  if (peer[0].fd < 0) {
    std::printf("mode=limit error=connect_failed\n");
    return 1;
  }
  const std::string head = PostRequest(port, 0, declared);
  SendAll(peer[0].fd, head);
  const std::string piece = PostRequest(port, 65536, 65536).substr(head.size());
  size_t body_sent = 0;
  while (body_sent < declared && !peer[0].answered && !peer[0].closed &&
         Seconds(Clock::now() - start) < 20) {
    pollfd fd = {peer[0].fd, POLLIN | POLLOUT, 0};
    poll(&fd, 1, 100);
    if (fd.revents & (POLLIN | POLLERR | POLLHUP)) {
      Drain(peer[0]);
      continue;
    }
    if (fd.revents & POLLOUT) {
      const size_t n = std::min(piece.size(), declared - body_sent);
      const ssize_t sent =
          send(peer[0].fd, piece.data(), n, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (sent > 0) {
        body_sent += static_cast<size_t>(sent);
      } else if (sent < 0 && errno != EAGAIN) {
        peer[0].closed = true;
      }
    }
  }
  PollUntil(peer, std::chrono::seconds(5),
            [&] { return peer[0].answered || peer[0].closed; });
  const double elapsed_s = Seconds(Clock::now() - start);
  close(peer[0].fd);
  const double probe_ms = Probe(port, 5);
  std::printf(
      "mode=limit declared_mb=%.0f status=%s body_mb_sent=%.2f time_s=%.2f "
      "server_alive=%s\n",
      declared / 1048576.0,
      peer[0].answered ? absl::StrCat(peer[0].status).c_str()
                       : "closed_without_answer",
      body_sent / 1048576.0, elapsed_s, probe_ms >= 0 ? "yes" : "no");
  return 0;
}

int Main(int argc, char** argv) {
  Flags flags(argc, argv);
  Options options;
  options.port = static_cast<int>(flags.Int("port", 0));
  const std::string mode = flags.Str("mode", "post");
  options.connections = static_cast<int>(flags.Int("connections", 16));
  options.server_pid = static_cast<int>(flags.Int("server_pid", 0));
  options.body_bytes = static_cast<size_t>(flags.Int("body_bytes", 40960));
  if (options.port <= 0 || options.connections <= 0) {
    std::fprintf(stderr, "usage: %s\n", kUsage);
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  if (mode == "idle") {
    return RunIdle(flags, options.port, options.connections,
                   options.server_pid);
  }
  if (mode == "shutdown") {
    return RunShutdown(flags, options.port, options.connections,
                       options.server_pid, options.body_bytes);
  }
  if (mode == "limit") return RunLimit(flags, options.port);
  if (mode != "post" && mode != "get") {
    std::fprintf(stderr, "unknown --mode=%s\nusage: %s\n", mode.c_str(),
                 kUsage);
    return 2;
  }
  options.post = mode == "post";
  options.duration_s = flags.Double("duration_s", options.duration_s);
  options.warmup_s = flags.Double("warmup_s", options.warmup_s);
  options.threads = static_cast<int>(flags.Int("threads", options.threads));
  options.rate_per_conn = flags.Double("rate_per_conn", 0);
  flags.Check(kUsage);
  return RunThroughput(options);
}

}  // namespace
}  // namespace fraisier::bench::http

int main(int argc, char** argv) {
  return fraisier::bench::http::Main(argc, argv);
}
