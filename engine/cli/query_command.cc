#include "engine/cli/query_command.h"

#include <cmath>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "engine/api/params.h"
#include "engine/cli/cli.h"
#include "engine/cli/flags.h"
#include "engine/cli/http_get.h"
#include "engine/cli/query_output.h"

namespace fraisier::cli {
namespace {

constexpr absl::string_view kDefaultServer = "http://localhost:9099";

std::string Usage(bool range) {
  return absl::StrCat(
      "usage: ruler query ", range ? "range" : "instant",
      " [<flags>] [SERVER] EXPR\n\n",
      range ? "Run a range query" : "Run an instant query",
      " against a running ruler (or any Prometheus API).\nSERVER (or "
      "--server) defaults to ",
      kDefaultServer, ".\n\nFlags:\n");
}

// Seconds since the epoch with millisecond digits, as the API reads them.
std::string ApiTime(absl::Time t) {
  return absl::StrFormat("%.3f", absl::ToUnixMillis(t) / 1000.0);
}

std::string Endpoint(absl::string_view server, bool range) {
  std::string base(server);
  if (!absl::StrContains(base, "://")) base = absl::StrCat("http://", base);
  while (absl::EndsWith(base, "/")) base.pop_back();
  return absl::StrCat(base, range ? "/api/v1/query_range" : "/api/v1/query");
}

struct QueryFlags {
  std::string server;
  bool server_set = false;
  std::string time, start, end, step, format = "table", timeout = "2m";
  bool help = false;
};

// promtool's `-o json` is our --format.
std::vector<std::string> ExpandShortFlags(
    const std::vector<std::string>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) {
      out.push_back("--format=" + args[++i]);
    } else if (absl::StartsWith(args[i], "-o=")) {
      out.push_back("--format=" + args[i].substr(3));
    } else if (args[i] == "-h") {
      out.push_back("--help");
    } else {
      out.push_back(args[i]);
    }
  }
  return out;
}

absl::StatusOr<absl::Time> TimeFlag(absl::string_view name,
                                    const std::string& value,
                                    absl::Time fallback) {
  if (value.empty()) return fallback;
  absl::StatusOr<absl::Time> t = api::ParseTime(value);
  if (!t.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--", name, ": ", t.status().message()));
  }
  return *t;
}

// The query parameters, promtool's defaults included: an instant query at
// now; a range over the last 5m ending now, with a step giving about 250
// points (at least 1s).
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> Params(
    bool range, const QueryFlags& f, const std::string& expr, absl::Time now) {
  std::vector<std::pair<std::string, std::string>> params = {{"query", expr}};
  if (!range) {
    absl::StatusOr<absl::Time> t = TimeFlag("time", f.time, now);
    if (!t.ok()) return t.status();
    params.emplace_back("time", ApiTime(*t));
    return params;
  }
  absl::StatusOr<absl::Time> end = TimeFlag("end", f.end, now);
  if (!end.ok()) return end.status();
  absl::StatusOr<absl::Time> start =
      TimeFlag("start", f.start, *end - absl::Minutes(5));
  if (!start.ok()) return start.status();
  if (!(*start < *end)) {
    return absl::InvalidArgumentError("start time is not before end time");
  }
  absl::Duration step;
  if (f.step.empty()) {
    step = absl::Seconds(
        std::max(std::floor(absl::ToDoubleSeconds(*end - *start) / 250), 1.0));
  } else {
    absl::StatusOr<absl::Duration> d = api::ParseDuration(f.step);
    if (!d.ok() || *d <= absl::ZeroDuration()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--step: not a positive duration: \"", f.step, "\""));
    }
    step = *d;
  }
  params.emplace_back("start", ApiTime(*start));
  params.emplace_back("end", ApiTime(*end));
  params.emplace_back("step",
                      absl::StrFormat("%.3f", absl::ToDoubleSeconds(step)));
  return params;
}

}  // namespace

int RunQuery(bool range, const std::vector<std::string>& args,
             const Clock& clock, std::ostream& out, std::ostream& err) {
  const std::string name = range ? "ruler query range" : "ruler query instant";
  QueryFlags f;
  FlagSet flags;
  flags.AddString("server", "URL of the ruler (or Prometheus).", &f.server,
                  &f.server_set);
  if (range) {
    flags.AddString("start",
                    "Start time (RFC3339 or Unix seconds); default "
                    "end - 5m.",
                    &f.start);
    flags.AddString("end", "End time (RFC3339 or Unix seconds); default now.",
                    &f.end);
    flags.AddString("step",
                    "Step (duration); default (end - start) / 250, "
                    "at least 1s.",
                    &f.step);
  } else {
    flags.AddString("time",
                    "Evaluation time (RFC3339 or Unix seconds); "
                    "default now.",
                    &f.time);
  }
  flags.AddString("format", "Output: table or json (-o also works).",
                  &f.format);
  flags.AddString("timeout", "Give up after this long.", &f.timeout);
  flags.AddBool("help", "Show this help.", &f.help);
  std::vector<std::string> positional;
  absl::Status parsed = flags.Parse(ExpandShortFlags(args), &positional);
  if (f.help) {
    out << Usage(range) << flags.Usage();
    return kExitOk;
  }
  if (!parsed.ok()) {
    err << name << ": " << parsed.message() << "\n"
        << Usage(range) << flags.Usage();
    return kExitUsage;
  }
  std::string server = f.server_set ? f.server : std::string(kDefaultServer);
  std::string expr;
  if (positional.size() == 2 && !f.server_set) {
    server = positional[0];
    expr = positional[1];
  } else if (positional.size() == 1) {
    expr = positional[0];
  } else {
    err << name << ": expected [SERVER] EXPR (or --server=URL EXPR)\n"
        << Usage(range);
    return kExitUsage;
  }
  absl::StatusOr<QueryFormat> format = ParseQueryFormat(f.format);
  absl::StatusOr<absl::Duration> timeout = api::ParseDuration(f.timeout);
  if (!format.ok()) {
    err << name << ": --format: " << format.status().message() << "\n";
    return kExitUsage;
  }
  if (!timeout.ok() || *timeout <= absl::ZeroDuration()) {
    err << name << ": --timeout: not a positive duration: \"" << f.timeout
        << "\"\n";
    return kExitUsage;
  }
  auto params = Params(range, f, expr, clock.Now());
  if (!params.ok()) {
    err << name << ": " << params.status().message() << "\n";
    return kExitUsage;
  }
  absl::StatusOr<HttpReply> reply =
      HttpGet(Endpoint(server, range), *params, *timeout);
  if (!reply.ok()) {
    err << "query error: " << reply.status().message() << "\n";
    return kExitFailure;
  }
  std::vector<std::string> warnings;
  absl::StatusOr<std::string> text =
      FormatQueryResponse(reply->body, *format, &warnings);
  for (const std::string& w : warnings) err << "warning: " << w << "\n";
  if (!text.ok()) {
    err << "query error: ";
    if (text.status().code() == absl::StatusCode::kInternal) {
      err << "HTTP " << reply->status << ": ";
    }
    err << text.status().message() << "\n";
    return kExitFailure;
  }
  out << *text;
  return kExitOk;
}

int RunQueryInstant(const std::vector<std::string>& args, std::ostream& out,
                    std::ostream& err) {
  return RunQuery(/*range=*/false, args, *RealClock::Get(), out, err);
}

int RunQueryRange(const std::vector<std::string>& args, std::ostream& out,
                  std::ostream& err) {
  return RunQuery(/*range=*/true, args, *RealClock::Get(), out, err);
}

}  // namespace fraisier::cli
