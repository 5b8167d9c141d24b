#include "engine/demo/feeder.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"

namespace fraisier::demo {
namespace {

// How often the feed says it is alive, in real time.
constexpr absl::Duration kProgressEvery = absl::Minutes(1);

// Whole seconds in Go's style ("1m30s", "0s"; absl would print "0").
std::string Format(absl::Duration d) {
  const absl::Duration whole = absl::Trunc(d, absl::Seconds(1));
  return whole == absl::ZeroDuration() ? "0s" : absl::FormatDuration(whole);
}

}  // namespace

std::string TimelineStamp(absl::Duration elapsed) {
  return absl::StrCat("t=", Format(elapsed));
}

Feeder::Feeder(FeederOptions options, Scenario scenario, const Clock* clock,
               notifier::Sleeper* sleeper, notifier::HttpTransport* transport,
               std::ostream* out)
    : options_(std::move(options)),
      scenario_(std::move(scenario)),
      clock_(clock),
      sleeper_(sleeper),
      transport_(transport),
      out_(out),
      workload_(options_.seed) {}

absl::Duration Feeder::RealTime(absl::Duration scenario_time) const {
  return scenario_time / options_.time_scale;
}

void Feeder::PrintPlan() {
  *out_ << "ruler demo: " << workload_.table().size() << " Fraisier series to "
        << options_.url << " every " << absl::FormatDuration(options_.interval)
        << ", scenario \"" << scenario_.name << "\"";
  if (options_.time_scale != 1) {
    *out_ << " at " << options_.time_scale << "x speed";
  }
  *out_ << "\n";
  if (scenario_.incidents.empty()) {
    *out_ << "timeline: no incidents; every alert should stay quiet\n";
  } else {
    *out_ << "timeline:\n";
    for (const Incident& incident : scenario_.incidents) {
      *out_ << "  " << TimelineStamp(RealTime(incident.start)) << " to "
            << Format(RealTime(incident.end())) << "  " << incident.name
            << " -> " << incident.alert << "\n";
    }
  }
  out_->flush();
}

void Feeder::PrintTimeline(absl::Duration from, absl::Duration to,
                           absl::Duration elapsed) {
  for (const Incident& incident : scenario_.incidents) {
    if (incident.start > from && incident.start <= to) {
      *out_ << TimelineStamp(elapsed) << ": incident " << incident.name
            << " begins (expect " << incident.alert << ")\n";
    }
    if (incident.end() > from && incident.end() <= to) {
      *out_ << TimelineStamp(elapsed) << ": incident " << incident.name
            << " ends (" << incident.alert << " resolves " << incident.resolves
            << ")\n";
    }
  }
}

void Feeder::Write(absl::Duration elapsed, const std::atomic<bool>& stop) {
  // The store refuses a sample not newer than the last one of its series.
  const int64_t t_ms = std::max(clock_->NowMillis(), last_sample_ms_ + 1);
  last_sample_ms_ = t_ms;
  const std::vector<ingest::RemoteWriteSeries> series =
      workload_.Snapshot(t_ms);
  const std::string body = ingest::EncodeRemoteWriteBody(series);
  notifier::HttpRequest request;
  request.url = options_.url;
  request.headers = ingest::RemoteWriteHeaders();
  request.body = body;
  request.timeout = options_.request_timeout;
  request.abort = [&stop] { return stop.load(); };
  const notifier::HttpResponse response = transport_->Post(request);
  ++stats_.writes;
  if (response.status >= 200 && response.status < 300) {
    stats_.samples += static_cast<int64_t>(series.size());
    if (failure_streak_ > 0) {
      *out_ << TimelineStamp(elapsed) << ": writes succeed again after "
            << failure_streak_ << " failed\n";
    }
    failure_streak_ = 0;
    return;
  }
  ++stats_.failed_writes;
  if (failure_streak_++ == 0) {
    *out_ << TimelineStamp(elapsed) << ": write failed: "
          << (response.status == 0
                  ? std::string(response.error.message())
                  : absl::StrCat("HTTP ", response.status, ": ", response.body))
          << " (retrying every " << absl::FormatDuration(options_.interval)
          << " with fresh samples)\n";
  }
}

FeederStats Feeder::Run(const std::atomic<bool>& stop) {
  PrintPlan();
  const absl::Time start = clock_->Now();
  absl::Time previous = start;
  // Scenario time already covered; below zero so an incident at 0 prints.
  absl::Duration covered = -absl::Nanoseconds(1);
  absl::Duration next_progress = kProgressEvery;
  int64_t tick = 0;
  while (!stop.load()) {
    const absl::Time now = clock_->Now();
    const absl::Duration elapsed = now - start;
    if (options_.duration > absl::ZeroDuration() &&
        elapsed >= options_.duration) {
      break;
    }
    const absl::Duration scenario_time = elapsed * options_.time_scale;
    PrintTimeline(covered, scenario_time, elapsed);
    covered = scenario_time;
    workload_.Advance(now - previous, scenario_.ActiveAt(scenario_time));
    previous = now;
    Write(elapsed, stop);
    if (elapsed >= next_progress) {
      *out_ << TimelineStamp(elapsed) << ": " << stats_.writes << " writes, "
            << stats_.samples << " samples, " << stats_.failed_writes
            << " failed\n";
      next_progress += kProgressEvery;
    }
    out_->flush();
    // Ticks stay on the start + k * interval grid; a slow write skips the
    // ticks it overran instead of bunching up.
    absl::Duration unused;
    const int64_t ticks_passed =
        absl::IDivDuration(clock_->Now() - start, options_.interval, &unused);
    tick = std::max(tick + 1, ticks_passed + 1);
    absl::Time wake = start + tick * options_.interval;
    if (options_.duration > absl::ZeroDuration()) {
      wake = std::min(wake, start + options_.duration);
    }
    sleeper_->SleepFor(wake - clock_->Now(), stop);
  }
  const absl::Duration elapsed = clock_->Now() - start;
  *out_ << "ruler demo: stopped at " << TimelineStamp(elapsed) << " after "
        << stats_.writes << " writes (" << stats_.samples << " samples), "
        << stats_.failed_writes << " failed\n";
  out_->flush();
  return stats_;
}

}  // namespace fraisier::demo
