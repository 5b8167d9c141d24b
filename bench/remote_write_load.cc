// Prometheus remote-write 1.0 load generator: node-exporter-like series
// (bench/data/node_series.h) POSTed to /api/v1/write as snappy-compressed
// prometheus.WriteRequest bodies over HTTP/1.1 keep-alive connections.
//
//   remote_write_load --address=127.0.0.1:PORT [--series=100000]
//       [--series_per_request=500] [--connections=2] [--rounds=30]
//       [--creation_rounds=1] [--warmup_rounds=1] [--interval=15s]
//       [--rate=SAMPLES_PER_S --duration=10m] [--server_pid=PID]
//       [--label=NAME] [--encoder=patch|snappy] [--progress=10s]
//
// A round sends one sample of every series, all with the round's timestamp
// (start + round * interval). The first --creation_rounds rounds create the
// series and the next --warmup_rounds let the server settle; neither is
// measured. Then the steady phase: --rounds rounds as fast as the server
// answers, or, with --rate, requests paced to that many samples per second
// for --duration (the timestamps then advance in real time: interval =
// series / rate unless --interval is given).
//
// Connection c sends requests c, c + C, c + 2C, ... of every round (C =
// --connections, one thread each), so each series is always sent by the
// same connection, one round after the other, and never out of order.
//
// Bodies are encoded once: every series' TimeSeries is serialized by the
// generated protobuf code with a placeholder sample, then each request is
// compressed into the snappy block format by a small LZ77 encoder that
// never copies from or to the 16 bytes of a sample (its value and
// timestamp), which stay literals at known offsets. A round then only
// stores each series' new value and timestamp into the compressed body
// (--encoder=snappy instead re-compresses every body with snappy each
// round, to show what that would cost). Every body is checked once with
// snappy::Uncompress and WriteRequest::ParseFromString.
//
// With --server_pid, the server's CPU time (utime + stime of
// /proc/PID/stat) and resident memory (VmRSS of /proc/PID/status) are read
// before the creation round and around the steady phase. The last line of
// the output is `RESULT key=value ...`.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "bench/data/node_series.h"
#include "bench/proc_stats.h"
#include "bench/remote_write_load_body.h"
#include "bench/remote_write_load_options.h"
#include "proto/remote.pb.h"
#include "proto/types.pb.h"
#include "snappy.h"

namespace fraisier::bench {
namespace {

using Clock = std::chrono::steady_clock;
using load::BuildRequest;
using load::Die;
using load::EncodeTimestamp;
using load::kMaxTimestampMs;
using load::kMinTimestampMs;
using load::kTimestampBytes;
using load::kTimestampOffset;
using load::kValueOffset;
using load::Options;
using load::ParseOptions;
using load::Request;
using load::RequestHead;
using load::VerifyBody;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// ---------------------------------------------------------------------------
// HTTP/1.1 client on a blocking socket.

struct Response {
  int status = 0;  // 0: no response (transport error)
  std::string body;
  std::string error;  // transport error
  bool got_bytes = false;
};

class Connection {
 public:
  explicit Connection(const Options& o) : o_(o) {}
  ~Connection() { Close(); }

  int reconnects() const { return connects_ > 0 ? connects_ - 1 : 0; }
  int server_closes() const { return server_closes_; }

  Response RoundTrip(const std::string& head, const std::string& body) {
    Response r;
    if (fd_ < 0 && !Connect(&r.error)) return r;
    iovec iov[2] = {{const_cast<char*>(head.data()), head.size()},
                    {const_cast<char*>(body.data()), body.size()}};
    size_t total = head.size() + body.size();
    size_t sent = 0;
    while (sent < total) {
      msghdr msg = {};
      iovec part[2];
      int parts = 0;
      size_t skip = sent;
      for (const iovec& v : iov) {
        if (skip >= v.iov_len) {
          skip -= v.iov_len;
          continue;
        }
        part[parts].iov_base = static_cast<char*>(v.iov_base) + skip;
        part[parts].iov_len = v.iov_len - skip;
        ++parts;
        skip = 0;
      }
      msg.msg_iov = part;
      msg.msg_iovlen = parts;
      const ssize_t n = sendmsg(fd_, &msg, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EINTR) continue;
        r.error = absl::StrCat("send: ", std::strerror(errno));
        Close();
        return r;
      }
      sent += static_cast<size_t>(n);
    }
    ReadResponse(&r);
    return r;
  }

 private:
  bool Connect(std::string* error) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr = {};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(o_.port));
    if (fd_ < 0 || inet_pton(AF_INET, o_.host.c_str(), &addr.sin_addr) != 1) {
      *error = absl::StrCat("bad address ", o_.host);
      Close();
      return false;
    }
    const int one = 1;
    setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    timeval tv = {static_cast<time_t>(o_.timeout_ms / 1000),
                  static_cast<suseconds_t>(o_.timeout_ms % 1000 * 1000)};
    setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    if (connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      *error = absl::StrCat("connect: ", std::strerror(errno));
      Close();
      return false;
    }
    ++connects_;
    buffer_.clear();
    return true;
  }

  void Close() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

  // Reads more bytes into buffer_; false on EOF or error.
  bool Fill(Response* r) {
    char chunk[16384];
    while (true) {
      const ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
      if (n > 0) {
        buffer_.append(chunk, static_cast<size_t>(n));
        r->got_bytes = true;
        return true;
      }
      if (n < 0 && errno == EINTR) continue;
      r->error = n == 0 ? "connection closed by server"
                        : absl::StrCat("recv: ", std::strerror(errno));
      return false;
    }
  }

  void ReadResponse(Response* r) {
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill(r)) {
        Close();
        return;
      }
    }
    const absl::string_view head = absl::string_view(buffer_).substr(0, end);
    int status = 0;
    if (!absl::StartsWith(head, "HTTP/1.") || head.size() < 12 ||
        !absl::SimpleAtoi(head.substr(9, 3), &status)) {
      r->error = absl::StrCat("bad status line: ", head.substr(0, 40));
      Close();
      return;
    }
    bool chunked = false;
    bool close_after = absl::StartsWith(head, "HTTP/1.0");
    std::optional<size_t> content_length;
    size_t line_start = head.find("\r\n");
    while (line_start != absl::string_view::npos) {
      line_start += 2;
      size_t line_end = head.find("\r\n", line_start);
      absl::string_view line =
          head.substr(line_start, line_end == absl::string_view::npos
                                      ? absl::string_view::npos
                                      : line_end - line_start);
      const size_t colon = line.find(':');
      if (colon != absl::string_view::npos) {
        const std::string name = absl::AsciiStrToLower(line.substr(0, colon));
        const std::string value = absl::AsciiStrToLower(
            absl::StripAsciiWhitespace(line.substr(colon + 1)));
        size_t length;
        if (name == "content-length" && absl::SimpleAtoi(value, &length)) {
          content_length = length;
        } else if (name == "transfer-encoding" &&
                   absl::StrContains(value, "chunked")) {
          chunked = true;
        } else if (name == "connection") {
          if (value == "close") close_after = true;
          if (value == "keep-alive") close_after = false;
        }
      }
      line_start = line_end;
    }
    buffer_.erase(0, end + 4);
    const bool no_body = status == 204 || status == 304 || status < 200;
    if (no_body) {
      // nothing
    } else if (chunked) {
      while (true) {
        size_t eol;
        while ((eol = buffer_.find("\r\n")) == std::string::npos) {
          if (!Fill(r)) return Fail(r);
        }
        size_t size = std::strtoul(buffer_.c_str(), nullptr, 16);
        buffer_.erase(0, eol + 2);
        while (buffer_.size() < size + 2) {
          if (!Fill(r)) return Fail(r);
        }
        r->body.append(buffer_, 0, size);
        buffer_.erase(0, size + 2);
        if (size == 0) break;  // (no trailers expected)
      }
    } else if (content_length) {
      while (buffer_.size() < *content_length) {
        if (!Fill(r)) return Fail(r);
      }
      r->body = buffer_.substr(0, *content_length);
      buffer_.erase(0, *content_length);
    } else {
      // Body until the server closes the connection.
      while (Fill(r)) {
      }
      r->body = std::move(buffer_);
      buffer_.clear();
      r->error.clear();
      close_after = true;
    }
    r->status = status;
    if (close_after) {
      ++server_closes_;
      Close();
    }
  }

  void Fail(Response* r) {
    r->status = 0;
    Close();
  }

  const Options& o_;
  int fd_ = -1;
  int connects_ = 0;
  int server_closes_ = 0;
  std::string buffer_;
};

// ---------------------------------------------------------------------------
// The load.

// Per-connection state and counters of one phase.
struct Worker {
  explicit Worker(const Options& o) : conn(o) {}
  Connection conn;
  std::vector<Request*> requests;      // this connection's requests of a round
  std::vector<ValueGenerator> values;  // one per series, in request order
  std::vector<double> scratch;

  // Counters, reset per phase.
  int64_t requests_sent = 0;
  int64_t samples_sent = 0;
  int64_t samples_acked = 0;
  int64_t resent = 0;
  int64_t transport_errors = 0;
  int64_t max_lag_us = 0;
  std::map<int, int64_t> non2xx;  // status -> requests
  std::vector<std::string> error_bodies;
  std::vector<int64_t> latency_ns;
  int64_t max_t_ms = -1;
};

struct Shared {
  std::atomic<int64_t> samples_acked{0};
  std::atomic<int64_t> non2xx{0};
  std::atomic<int64_t> transport_errors{0};
};

// The round timestamp and one value per series into a request's body.
void PatchRequest(const Options& o, Request* r, ValueGenerator* gens,
                  int64_t t_ms, std::vector<double>* values) {
  char ts[kTimestampBytes];
  EncodeTimestamp(t_ms, ts);
  values->resize(r->num_series);
  for (int64_t k = 0; k < r->num_series; ++k) (*values)[k] = gens[k].Next(t_ms);
  if (o.snappy_encoder) {
    for (int64_t k = 0; k < r->num_series; ++k) {
      char* p = r->raw.data() + r->raw_samples[k];
      std::memcpy(p + kValueOffset, &(*values)[k], 8);
      std::memcpy(p + kTimestampOffset, ts, kTimestampBytes);
    }
    r->body.clear();
    snappy::Compress(r->raw.data(), r->raw.size(), &r->body);
    r->head = RequestHead(o.path, o.host, o.port, r->body.size());
  } else {
    for (int64_t k = 0; k < r->num_series; ++k) {
      char* p = r->body.data() + r->body_samples[k];
      std::memcpy(p + kValueOffset, &(*values)[k], 8);
      std::memcpy(p + kTimestampOffset, ts, kTimestampBytes);
    }
  }
}

// Sends rounds [first_round, first_round + rounds) (or, with a deadline,
// until it passes), each request paced to `schedule` when rate > 0.
void RunPhase(const Options& o, Worker* w, Shared* shared, int64_t start_ms,
              int64_t first_round, int64_t rounds, bool record_latency,
              bool paced, Clock::time_point phase_start,
              Clock::time_point deadline) {
  const double per_request_s =
      paced ? static_cast<double>(o.series_per_request) * o.connections / o.rate
            : 0;
  int64_t index = 0;  // request index within the phase
  for (int64_t round = first_round;; ++round) {
    if (rounds >= 0 && round >= first_round + rounds) break;
    const int64_t t_ms = start_ms + round * o.interval_ms;
    size_t gen_offset = 0;
    for (Request* r : w->requests) {
      Clock::time_point when = Clock::now();
      if (paced) {
        const Clock::time_point due =
            phase_start + std::chrono::duration_cast<Clock::duration>(
                              std::chrono::duration<double>(
                                  per_request_s * static_cast<double>(index)));
        if (due >= deadline) return;
        if (due > when) {
          std::this_thread::sleep_until(due);
        } else {
          w->max_lag_us = std::max<int64_t>(
              w->max_lag_us,
              std::chrono::duration_cast<std::chrono::microseconds>(when - due)
                  .count());
        }
      } else if (Clock::now() >= deadline) {
        return;
      }
      ++index;
      PatchRequest(o, r, &w->values[gen_offset], t_ms, &w->scratch);
      gen_offset += static_cast<size_t>(r->num_series);
      Response resp;
      int64_t latency_ns = 0;
      for (int attempt = 0; attempt < 3; ++attempt) {
        const Clock::time_point t0 = Clock::now();
        resp = w->conn.RoundTrip(r->head, r->body);
        latency_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         Clock::now() - t0)
                         .count();
        // A keep-alive connection the server closed before reading the
        // request: send again on a new one.
        if (resp.status != 0 || resp.got_bytes) break;
        ++w->resent;
      }
      ++w->requests_sent;
      w->samples_sent += r->num_series;
      w->max_t_ms = std::max(w->max_t_ms, t_ms);
      if (record_latency) w->latency_ns.push_back(latency_ns);
      if (resp.status >= 200 && resp.status < 300) {
        w->samples_acked += r->num_series;
        shared->samples_acked += r->num_series;
      } else if (resp.status == 0) {
        ++w->transport_errors;
        ++shared->transport_errors;
        if (w->error_bodies.size() < 3) {
          w->error_bodies.push_back(absl::StrCat("transport: ", resp.error));
        }
      } else {
        ++w->non2xx[resp.status];
        ++shared->non2xx;
        if (w->error_bodies.size() < 3) {
          w->error_bodies.push_back(
              absl::StrCat(resp.status, ": ", resp.body.substr(0, 300)));
        }
      }
    }
  }
}

struct Reading {
  Clock::time_point at;
  double server_cpu_s = -1;
  int64_t server_rss = -1;
  double own_cpu_s = 0;
};

Reading Read(const Options& o) {
  Reading r;
  r.at = Clock::now();
  r.server_cpu_s = ProcessCpuSeconds(o.server_pid);
  r.server_rss = ProcessRssBytes(o.server_pid);
  r.own_cpu_s = OwnCpuSeconds();
  return r;
}

double Percentile(const std::vector<int64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t i =
      static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  i = std::clamp<size_t>(i, 1, sorted.size()) - 1;
  return static_cast<double>(sorted[i]) / 1e6;
}

int Main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  const Options o = ParseOptions(argc, argv);
  const int64_t setup_rounds = o.creation_rounds + o.warmup_rounds;
  const bool paced = o.rate > 0;

  // Timestamps: max-throughput runs end at about now (the server sees a
  // backfill of the last minutes); paced runs start now and follow the
  // clock.
  const int64_t now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  const int64_t start_ms = o.start_ms.value_or(
      paced ? now_ms : now_ms - (setup_rounds + o.rounds) * o.interval_ms);
  const int64_t last_possible_round =
      setup_rounds +
      (paced && o.duration_ms > 0
           ? static_cast<int64_t>(std::ceil(o.rate * o.duration_ms / 1000.0 /
                                            static_cast<double>(o.series))) +
                 1
           : o.rounds);
  if (start_ms < kMinTimestampMs ||
      start_ms + last_possible_round * o.interval_ms > kMaxTimestampMs) {
    Die("timestamps out of the 6-byte varint range");
  }

  // Requests: series [k * spr, (k + 1) * spr), spread over the connections.
  const Clock::time_point build_start = Clock::now();
  const int64_t num_requests =
      (o.series + o.series_per_request - 1) / o.series_per_request;
  std::vector<std::unique_ptr<Request>> requests(num_requests);
  {
    std::vector<std::thread> builders;
    std::atomic<int64_t> next{0};
    for (int t = 0; t < 2; ++t) {
      builders.emplace_back([&] {
        for (int64_t k; (k = next++) < num_requests;) {
          auto r = std::make_unique<Request>();
          r->first_series = k * o.series_per_request;
          r->num_series =
              std::min(o.series_per_request, o.series - r->first_series);
          BuildRequest(o.snappy_encoder, r.get());
          r->head = RequestHead(o.path, o.host, o.port, r->body.size());
          requests[k] = std::move(r);
        }
      });
    }
    for (std::thread& t : builders) t.join();
  }
  size_t body_bytes = 0;
  for (const auto& r : requests) body_bytes += r->body.size();

  std::vector<std::unique_ptr<Worker>> workers;
  for (int c = 0; c < o.connections; ++c) {
    workers.push_back(std::make_unique<Worker>(o));
  }
  for (int64_t k = 0; k < num_requests; ++k) {
    Worker* w = workers[k % o.connections].get();
    w->requests.push_back(requests[k].get());
    for (int64_t s = 0; s < requests[k]->num_series; ++s) {
      w->values.emplace_back(requests[k]->first_series + s);
    }
  }
  // Self-check: every body decodes to the series, value and timestamp it
  // should (on copies of the generators, so the load sends the same values).
  {
    for (auto& w : workers) {
      std::vector<ValueGenerator> gens = w->values;
      size_t offset = 0;
      for (Request* r : w->requests) {
        Request copy = *r;
        std::vector<double> values;
        const Options patch_only = [&] {
          Options p = o;
          p.snappy_encoder = false;
          return p;
        }();
        PatchRequest(patch_only, &copy, &gens[offset], start_ms, &values);
        VerifyBody(copy, copy.body, values, start_ms);
        offset += static_cast<size_t>(r->num_series);
      }
    }
  }
  {
    // What snappy::Compress makes of the same request with real values.
    Request probe;
    probe.first_series = 0;
    probe.num_series = requests[0]->num_series;
    Options p = o;
    p.snappy_encoder = true;
    BuildRequest(p.snappy_encoder, &probe);
    std::vector<ValueGenerator> gens;
    for (int64_t s = 0; s < probe.num_series; ++s) gens.emplace_back(s);
    std::vector<double> values;
    PatchRequest(p, &probe, gens.data(), start_ms, &values);
    std::printf(
        "body:        %zu bytes uncompressed, %zu compressed here, "
        "%zu by snappy::Compress (first request)\n",
        probe.raw.size(), requests[0]->body.size(), probe.body.size());
  }
  std::printf(
      "prepared:    %lld requests of %lld series, %.1f MB of bodies "
      "in %.2f s\n",
      static_cast<long long>(num_requests),
      static_cast<long long>(o.series_per_request),
      static_cast<double>(body_bytes) / 1e6,
      Seconds(Clock::now() - build_start));
  std::printf("target:      %s:%d%s (%s), %d connections, load %s\n",
              o.host.c_str(), o.port, o.path.c_str(), o.label.c_str(),
              o.connections, LoadAverage().c_str());
  std::fflush(stdout);

  Shared shared;
  auto run_all = [&](int64_t first_round, int64_t rounds, bool record,
                     bool pace, Clock::time_point deadline) {
    const Clock::time_point phase_start = Clock::now();
    std::vector<std::thread> threads;
    for (auto& w : workers) {
      threads.emplace_back([&, w = w.get()] {
        RunPhase(o, w, &shared, start_ms, first_round, rounds, record, pace,
                 phase_start, deadline);
      });
    }
    for (std::thread& t : threads) t.join();
  };

  // Progress lines while the steady phase runs.
  std::atomic<bool> done{false};
  std::thread progress;

  const Reading before = Read(o);
  const Clock::time_point never = Clock::time_point::max();
  run_all(0, o.creation_rounds, false, false, never);
  const Reading after_creation = Read(o);
  run_all(o.creation_rounds, o.warmup_rounds, false, false, never);
  struct Totals {
    int64_t requests = 0, sent = 0, acked = 0, non2xx = 0, transport = 0,
            resent = 0, max_t_ms = -1;
  };
  auto totals = [&] {
    Totals t;
    for (auto& w : workers) {
      t.requests += w->requests_sent;
      t.sent += w->samples_sent;
      t.acked += w->samples_acked;
      t.transport += w->transport_errors;
      t.resent += w->resent;
      t.max_t_ms = std::max(t.max_t_ms, w->max_t_ms);
      for (const auto& [status, n] : w->non2xx) t.non2xx += n;
    }
    return t;
  };
  const Totals setup = totals();
  std::printf(
      "setup:       %lld rounds (%lld creating series): %lld samples "
      "acked of %lld, server RSS %.1f -> %.1f MB\n",
      static_cast<long long>(setup_rounds),
      static_cast<long long>(o.creation_rounds),
      static_cast<long long>(setup.acked), static_cast<long long>(setup.sent),
      before.server_rss / 1e6, Read(o).server_rss / 1e6);
  std::fflush(stdout);

  const Reading steady_start = Read(o);
  if (o.progress_ms > 0) {
    progress = std::thread([&] {
      int64_t last = shared.samples_acked.load();
      Clock::time_point last_at = Clock::now();
      while (!done) {
        for (int64_t slept = 0; slept < o.progress_ms && !done; slept += 100) {
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        if (done) break;
        const int64_t acked = shared.samples_acked.load();
        const Clock::time_point at = Clock::now();
        std::fprintf(
            stderr,
            "progress: t=%.0fs acked=%lld rate=%.0f/s non2xx=%lld "
            "transport_errors=%lld rss_mb=%.1f load=%s\n",
            Seconds(at - steady_start.at), static_cast<long long>(acked),
            static_cast<double>(acked - last) / Seconds(at - last_at),
            static_cast<long long>(shared.non2xx.load()),
            static_cast<long long>(shared.transport_errors.load()),
            ProcessRssBytes(o.server_pid) / 1e6, LoadAverage().c_str());
        last = acked;
        last_at = at;
      }
    });
  }
  for (auto& w : workers) {
    w->latency_ns.reserve(
        paced ? 1 << 20 : static_cast<size_t>(o.rounds) * w->requests.size());
  }
  const Totals before_steady = totals();
  if (paced && o.duration_ms > 0) {
    run_all(setup_rounds, -1, true, true,
            steady_start.at + std::chrono::milliseconds(o.duration_ms));
  } else {
    run_all(setup_rounds, o.rounds, true, paced, never);
  }
  const Reading end = Read(o);
  done = true;
  if (progress.joinable()) progress.join();
  const Totals all = totals();

  // Report.
  std::vector<int64_t> latencies;
  std::map<int, int64_t> statuses;
  std::vector<std::string> bodies;
  int64_t max_lag_us = 0;
  int reconnects = 0, server_closes = 0;
  for (auto& w : workers) {
    latencies.insert(latencies.end(), w->latency_ns.begin(),
                     w->latency_ns.end());
    for (const auto& [status, n] : w->non2xx) statuses[status] += n;
    for (const std::string& b : w->error_bodies) {
      if (bodies.size() < 5) bodies.push_back(b);
    }
    max_lag_us = std::max(max_lag_us, w->max_lag_us);
    reconnects += w->conn.reconnects();
    server_closes += w->conn.server_closes();
  }
  std::sort(latencies.begin(), latencies.end());
  const int64_t steady_acked = all.acked - before_steady.acked;
  const int64_t steady_sent = all.sent - before_steady.sent;
  const double wall_s = Seconds(end.at - steady_start.at);
  const double server_cpu_s =
      o.server_pid > 0 ? end.server_cpu_s - steady_start.server_cpu_s : -1;
  const double own_cpu_s = end.own_cpu_s - steady_start.own_cpu_s;
  const double rss_delta =
      static_cast<double>(end.server_rss - before.server_rss);

  std::printf(
      "steady:      %lld requests, %lld samples sent, %lld acked in "
      "%.2f s: %.0f samples/s%s\n",
      static_cast<long long>(all.requests - before_steady.requests),
      static_cast<long long>(steady_sent), static_cast<long long>(steady_acked),
      wall_s, static_cast<double>(steady_acked) / wall_s,
      paced ? absl::StrFormat(" (target %.0f, max lag %.1f ms)", o.rate,
                              max_lag_us / 1e3)
                  .c_str()
            : "");
  std::printf(
      "latency:     p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms "
      "(%zu requests)\n",
      Percentile(latencies, 0.5), Percentile(latencies, 0.9),
      Percentile(latencies, 0.99), Percentile(latencies, 1.0),
      latencies.size());
  std::printf(
      "errors:      %lld non-2xx, %lld transport errors, %lld resent, "
      "%d reconnects (%d closes asked by the server)\n",
      static_cast<long long>(all.non2xx), static_cast<long long>(all.transport),
      static_cast<long long>(all.resent), reconnects, server_closes);
  for (const auto& [status, n] : statuses) {
    std::printf("  status %d: %lld requests\n", status,
                static_cast<long long>(n));
  }
  for (const std::string& b : bodies) std::printf("  e.g. %s\n", b.c_str());
  if (o.server_pid > 0) {
    std::printf(
        "server:      %.2f CPU-s in the steady phase: %.0f samples "
        "per CPU-second; RSS %.1f MB before, %.1f after creation, "
        "%.1f at the end: %.0f B per series (%.0f B counting the "
        "whole RSS)\n",
        server_cpu_s, steady_acked / server_cpu_s, before.server_rss / 1e6,
        after_creation.server_rss / 1e6, end.server_rss / 1e6,
        rss_delta / o.series, static_cast<double>(end.server_rss) / o.series);
  }
  std::printf("generator:   %.2f CPU-s in the steady phase, %.2f of a core\n",
              own_cpu_s, own_cpu_s / wall_s);

  std::string result = absl::StrCat(
      "RESULT label=", o.label, " series=", o.series,
      " series_per_request=", o.series_per_request,
      " connections=", o.connections, " steady_rounds=",
      paced ? (all.max_t_ms - start_ms) / o.interval_ms + 1 - setup_rounds
            : o.rounds,
      " interval_ms=", o.interval_ms,
      " rate_target=", static_cast<int64_t>(o.rate), " samples_sent=", all.sent,
      " samples_acked=", all.acked, " steady_samples_acked=", steady_acked,
      " non2xx=", all.non2xx, " transport_errors=", all.transport,
      " resent=", all.resent, " reconnects=", reconnects);
  for (const auto& [status, n] : statuses) {
    absl::StrAppend(&result, " status_", status, "=", n);
  }
  absl::StrAppend(
      &result,
      absl::StrFormat(" wall_s=%.3f samples_per_s=%.0f p50_ms=%.3f p99_ms=%.3f "
                      "max_ms=%.3f gen_cpu_s=%.3f gen_core_fraction=%.3f",
                      wall_s, steady_acked / wall_s, Percentile(latencies, 0.5),
                      Percentile(latencies, 0.99), Percentile(latencies, 1.0),
                      own_cpu_s, own_cpu_s / wall_s));
  if (o.server_pid > 0) {
    absl::StrAppend(
        &result,
        absl::StrFormat(" server_cpu_s=%.3f samples_per_server_cpu_s=%.0f "
                        "rss_before=%lld rss_after_creation=%lld rss_end=%lld "
                        "rss_per_series=%.0f rss_total_per_series=%.0f",
                        server_cpu_s, steady_acked / server_cpu_s,
                        static_cast<long long>(before.server_rss),
                        static_cast<long long>(after_creation.server_rss),
                        static_cast<long long>(end.server_rss),
                        rss_delta / o.series,
                        static_cast<double>(end.server_rss) / o.series));
  }
  absl::StrAppend(&result, " min_t_ms=", start_ms, " max_t_ms=", all.max_t_ms,
                  " load=", LoadAverage());
  std::printf("%s\n", result.c_str());
  return all.non2xx == 0 && all.transport == 0 ? 0 : 1;
}

}  // namespace
}  // namespace fraisier::bench

int main(int argc, char** argv) { return fraisier::bench::Main(argc, argv); }
