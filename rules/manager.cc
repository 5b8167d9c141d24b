#include "rules/manager.h"

#include <algorithm>
#include <chrono>

#include "absl/strings/str_join.h"
#include "engine/base/logging.h"
#include "rules/rulefile/rule_file.h"

namespace fraisier::rules {

Manager::Manager(ManagerOptions options)
    : options_(std::move(options)),
      slots_(options_.max_concurrent_groups > 0
                 ? options_.max_concurrent_groups
                 : static_cast<int>(
                       std::max(1u, std::thread::hardware_concurrency()))) {}

Manager::~Manager() { Stop(); }

absl::Status Manager::Update(absl::Duration default_interval,
                             const std::vector<std::string>& files) {
  RuleFileOptions file_options;
  file_options.check_template = options_.check_template;
  std::vector<std::shared_ptr<Group>> next;
  std::vector<std::string> errors;
  for (const std::string& path : files) {
    absl::StatusOr<RuleFileSpec> file = LoadRuleFile(path, file_options);
    if (!file.ok()) {
      errors.emplace_back(file.status().message());
      continue;
    }
    for (const RuleGroupSpec& spec : file->groups) {
      next.push_back(std::make_shared<Group>(spec, path, default_interval));
    }
  }
  if (!errors.empty()) {
    return absl::InvalidArgumentError(absl::StrJoin(errors, "\n"));
  }
  std::unique_lock<std::mutex> lock(mu_);
  const bool was_running = running_;
  lock.unlock();
  if (was_running) StopRunners();
  lock.lock();
  const bool first_load = !loaded_once_;
  loaded_once_ = true;
  for (auto& group : next) {
    // At start-up, alerts pick up where they were before the restart.
    if (first_load) group->RequestRestore();
    for (auto& old : groups_) {
      if (old->name() == group->name() && old->file() == group->file()) {
        group->CopyStateFrom(*old);
      }
    }
  }
  groups_ = std::move(next);
  next_.clear();
  const absl::Time now = options_.clock->Now();
  for (auto& g : groups_) {
    next_.push_back(
        NextEvaluationTime(now, g->interval(), g->name(), g->file()));
  }
  if (was_running) {
    running_ = true;
    StartRunnersLocked();
  }
  FR_LOG(INFO) << "Loaded " << groups_.size() << " rule groups from "
               << files.size() << " files";
  return absl::OkStatus();
}

std::vector<std::shared_ptr<Group>> Manager::groups() const {
  std::lock_guard<std::mutex> lock(mu_);
  return groups_;
}

void Manager::EvaluateOne(Group& group, absl::Time* next, absl::Time now) {
  if (now < *next) return;
  const absl::Duration interval = group.interval();
  // Iterations whose time passed while the previous one ran are skipped
  // (and counted), as Prometheus does: evaluating stale times late would
  // only produce out-of-order writes.
  const int64_t behind = (now - *next) / interval;
  if (behind > 0) group.missed_iterations.fetch_add(behind);
  const absl::Time ts = *next + behind * interval;
  {
    EvaluationSlots::Hold slot(slots_);
    group.Eval(ts, options_.context);
  }
  *next = ts + interval;
}

void Manager::EvaluateDue(absl::Time now) {
  std::vector<std::shared_ptr<Group>> groups;
  std::vector<absl::Time> times;
  {
    std::lock_guard<std::mutex> lock(mu_);
    groups = groups_;
    times = next_;
  }
  for (size_t i = 0; i < groups.size(); ++i) {
    EvaluateOne(*groups[i], &times[i], now);
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (groups_ == groups) next_ = times;
}

void Manager::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (running_) return;
  running_ = true;
  StartRunnersLocked();
}

void Manager::StartRunnersLocked() {
  ++generation_;
  for (auto& g : groups_) {
    runners_.emplace_back([this, g, gen = generation_] { RunGroup(g, gen); });
  }
}

void Manager::RunGroup(std::shared_ptr<Group> group, uint64_t generation) {
  absl::Time next = NextEvaluationTime(options_.clock->Now(), group->interval(),
                                       group->name(), group->file());
  std::unique_lock<std::mutex> lock(mu_);
  while (running_ && generation_ == generation) {
    const absl::Duration wait = next - options_.clock->Now();
    if (wait > absl::ZeroDuration()) {
      wake_.wait_for(lock, absl::ToChronoNanoseconds(wait));
      continue;
    }
    lock.unlock();
    EvaluateOne(*group, &next, options_.clock->Now());
    lock.lock();
  }
}

void Manager::StopRunners() {
  std::vector<std::thread> runners;
  {
    std::lock_guard<std::mutex> lock(mu_);
    running_ = false;
    ++generation_;
    runners.swap(runners_);
  }
  wake_.notify_all();
  for (std::thread& t : runners) t.join();
}

void Manager::Stop() { StopRunners(); }

}  // namespace fraisier::rules
