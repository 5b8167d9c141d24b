#include "rules/lint/linter.h"

#include <algorithm>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "rules/lint/disable_comments.h"
#include "rules/lint/metric_names.h"
#include "rules/lint/walk.h"

namespace fraisier::rules::lint {
namespace {

using promql::Expr;
using promql::NodeKind;

// Histogram and counter evidence from every expression of the run.
void CollectEvidence(const std::vector<LintFile>& files, LintContext* ctx) {
  for (const LintFile& file : files) {
    for (const RuleGroupSpec& group : file.spec->groups) {
      for (const RuleSpec& rule : group.rules) {
        if (rule.parsed == nullptr) continue;
        Walk(*rule.parsed, [ctx](const Expr& e, Ancestors) {
          absl::string_view fn = CallName(e);
          if (fn == "rate" || fn == "irate" || fn == "increase") {
            if (const promql::MatrixSelector* m = MatrixArg(e, 0)) {
              absl::string_view name = MetricName(*m->selector);
              if (!name.empty() && !IsRecordedName(name) &&
                  !IsTotalCounter(name)) {
                ctx->counter_evidence.emplace(
                    std::string(name),
                    absl::StrCat("the rules pass it to ", fn, "()"));
              }
            }
            return;
          }
          if (e.kind() == NodeKind::kVectorSelector) {
            absl::string_view name =
                MetricName(static_cast<const promql::VectorSelector&>(e));
            if (IsBucketName(name)) {
              ctx->histogram_evidence.emplace(
                  std::string(HistogramBaseOf(name)),
                  absl::StrCat("the rules also select ", name));
            }
            return;
          }
          if (CallName(e) != "histogram_quantile") return;
          const auto& call = static_cast<const promql::Call&>(e);
          if (call.args.size() != 2) return;
          const Expr& arg = StripParens(*call.args[1]);
          if (arg.kind() != NodeKind::kVectorSelector) return;
          absl::string_view name =
              MetricName(static_cast<const promql::VectorSelector&>(arg));
          if (name.empty() || IsRecordedName(name) ||
              !HistogramBaseOf(name).empty()) {
            return;
          }
          ctx->histogram_evidence.emplace(
              std::string(name), "the rules pass it to histogram_quantile()");
        });
      }
    }
  }
}

struct Located {
  size_t file;
  size_t check_order;
  Finding finding;
};

}  // namespace

std::vector<const CheckDef*> AllCheckPtrs() {
  std::vector<const CheckDef*> out;
  for (const CheckDef& def : AllChecks()) out.push_back(&def);
  return out;
}

std::vector<Finding> LintFiles(const std::vector<LintFile>& files,
                               const LintOptions& options,
                               const std::vector<const CheckDef*>& checks) {
  LintContext ctx;
  ctx.options = options;
  CollectEvidence(files, &ctx);

  std::vector<DisableComments> disables;
  disables.reserve(files.size());
  for (const LintFile& f : files) {
    disables.push_back(DisableComments::Scan(f.text, *f.spec));
  }
  auto file_index = [&files](const RuleFileSpec* spec) {
    for (size_t i = 0; i < files.size(); ++i) {
      if (files[i].spec == spec) return i;
    }
    return files.size();
  };

  std::vector<Located> found;
  auto add = [&](size_t file, size_t order, const CheckDef& check,
                 const Site& site, std::string message) {
    if (disables[file].Disabled(check.id, site.group, site.rule)) return;
    Finding f;
    f.check = std::string(check.id);
    f.severity = check.severity;
    f.file = site.file->path;
    const RuleGroupSpec& group = site.group_spec();
    f.group = group.name;
    if (site.rule >= 0) {
      f.rule = site.rule_spec().name();
      f.line = site.rule_spec().line;
      f.column = site.rule_spec().column;
    } else {
      f.line = group.line;
      f.column = group.column;
    }
    f.message = std::move(message);
    found.push_back({file, order, std::move(f)});
  };

  std::vector<std::string> messages;
  for (size_t order = 0; order < checks.size(); ++order) {
    const CheckDef& check = *checks[order];
    if (check.run != nullptr) {
      std::vector<const RuleFileSpec*> specs;
      for (const LintFile& f : files) specs.push_back(f.spec);
      std::vector<SiteMessage> site_messages;
      check.run(specs, ctx, &site_messages);
      for (SiteMessage& m : site_messages) {
        add(file_index(m.site.file), order, check, m.site,
            std::move(m.message));
      }
      continue;
    }
    for (size_t fi = 0; fi < files.size(); ++fi) {
      const RuleFileSpec& spec = *files[fi].spec;
      for (size_t g = 0; g < spec.groups.size(); ++g) {
        const RuleGroupSpec& group = spec.groups[g];
        if (check.group != nullptr) {
          messages.clear();
          check.group(group, ctx, &messages);
          for (std::string& m : messages) {
            add(fi, order, check, Site{&spec, static_cast<int>(g), -1},
                std::move(m));
          }
          continue;
        }
        for (size_t r = 0; r < group.rules.size(); ++r) {
          messages.clear();
          check.rule(group.rules[r], ctx, &messages);
          for (std::string& m : messages) {
            add(fi, order, check,
                Site{&spec, static_cast<int>(g), static_cast<int>(r)},
                std::move(m));
          }
        }
      }
    }
  }

  for (size_t fi = 0; fi < files.size(); ++fi) {
    for (const DisableId& id : disables[fi].ids()) {
      if (FindCheck(id.id) != nullptr) continue;
      Finding f;
      f.check = std::string(kUnknownCheckId);
      f.severity = Severity::kWarning;
      f.file = files[fi].spec->path;
      f.line = id.line;
      f.column = 1;
      f.message = absl::StrCat("`# ruler disable ", id.id,
                               "` names no check, so it disables nothing; "
                               "see `ruler check rules --help` for the ids");
      found.push_back({fi, checks.size(), std::move(f)});
    }
  }

  std::stable_sort(found.begin(), found.end(),
                   [](const Located& a, const Located& b) {
                     if (a.file != b.file) return a.file < b.file;
                     if (a.finding.line != b.finding.line) {
                       return a.finding.line < b.finding.line;
                     }
                     return a.check_order < b.check_order;
                   });
  std::vector<Finding> out;
  out.reserve(found.size());
  for (Located& l : found) out.push_back(std::move(l.finding));
  return out;
}

}  // namespace fraisier::rules::lint
