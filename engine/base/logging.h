// Small leveled logging to stderr in logfmt, the format Prometheus and
// Alertmanager use, so one log pipeline reads all of them:
//
//   ts=2026-11-24T01:27:34.123Z level=info caller=main.cc:42 msg="started"
//
//   FR_LOG(INFO) << "loaded " << n << " rule groups";
//
// Messages below the minimum level (default INFO) cost one comparison.
// Thread-safe: each line is written with a single locked write.
#ifndef ENGINE_BASE_LOGGING_H_
#define ENGINE_BASE_LOGGING_H_

#include <functional>
#include <sstream>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace fraisier {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Parses "debug", "info", "warn"/"warning", "error" (the --log.level values).
absl::StatusOr<LogLevel> ParseLogLevel(absl::string_view text);

void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

// Redirects finished lines (without trailing newline) away from stderr, for
// tests. Pass nullptr to restore stderr.
using LogSink = std::function<void(absl::string_view line)>;
void SetLogSink(LogSink sink);

namespace logging_internal {

// Accumulates one line and emits it on destruction.
class LogMessage {
 public:
  LogMessage(LogLevel level, const char* file, int line);
  ~LogMessage();
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;

  std::ostream& stream() { return stream_; }

 private:
  LogLevel level_;
  const char* file_;
  int line_;
  std::ostringstream stream_;
};

// Lets FR_LOG discard the stream expression when the level is disabled.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace logging_internal
}  // namespace fraisier

#define FR_LOG_LEVEL_DEBUG ::fraisier::LogLevel::kDebug
#define FR_LOG_LEVEL_INFO ::fraisier::LogLevel::kInfo
#define FR_LOG_LEVEL_WARNING ::fraisier::LogLevel::kWarning
#define FR_LOG_LEVEL_ERROR ::fraisier::LogLevel::kError

#define FR_LOG(severity)                                                      \
  (FR_LOG_LEVEL_##severity < ::fraisier::MinLogLevel())                       \
      ? (void)0                                                               \
      : ::fraisier::logging_internal::Voidify() &                             \
            ::fraisier::logging_internal::LogMessage(FR_LOG_LEVEL_##severity, \
                                                     __FILE__, __LINE__)      \
                .stream()

#endif  // ENGINE_BASE_LOGGING_H_
