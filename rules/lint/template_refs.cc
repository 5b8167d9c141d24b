#include "rules/lint/template_refs.h"

#include <algorithm>
#include <memory>

#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "rules/template/ast.h"
#include "rules/template/parser.h"

namespace fraisier::rules::lint {
namespace {

using templates::Node;
using templates::NodeType;

class RefCollector {
 public:
  // `dot_is_data`: whether `.` is still the alert's template data (it is
  // rebound inside range and with bodies).
  void Visit(const Node* n, bool dot_is_data) {
    if (n == nullptr) return;
    switch (n->type) {
      case NodeType::kList:
        for (const Node* child : n->nodes) Visit(child, dot_is_data);
        break;
      case NodeType::kAction:
      case NodeType::kTemplate:
        Visit(n->pipe, dot_is_data);
        break;
      case NodeType::kIf:
        Visit(n->pipe, dot_is_data);
        Visit(n->list, dot_is_data);
        Visit(n->else_list, dot_is_data);
        break;
      case NodeType::kRange:
      case NodeType::kWith:
        Visit(n->pipe, dot_is_data);
        Visit(n->list, /*dot_is_data=*/false);
        Visit(n->else_list, dot_is_data);
        break;
      case NodeType::kPipe:
        for (const Node* v : n->decl) {
          if (!v->ident.empty() && v->ident[0] == "$labels") {
            ++labels_bindings_;
          }
        }
        for (const Node* cmd : n->cmds) Visit(cmd, dot_is_data);
        break;
      case NodeType::kCommand:
        VisitIndexCall(*n, dot_is_data);
        for (const Node* arg : n->args) Visit(arg, dot_is_data);
        break;
      case NodeType::kVariable:
        if (n->ident.size() >= 2 && n->ident[0] == "$labels") Add(n->ident[1]);
        break;
      case NodeType::kField:
        if (dot_is_data && n->ident.size() >= 2 && n->ident[0] == "Labels") {
          Add(n->ident[1]);
        }
        break;
      case NodeType::kChain:
        Visit(n->child, dot_is_data);
        break;
      default:
        break;
    }
  }

  // A binding of $labels in the user's text changes what it means.
  bool rebinds_labels() const { return labels_bindings_ > 0; }
  std::vector<std::string> TakeRefs() { return std::move(refs_); }

 private:
  // `index $labels "x"` / `index .Labels "x"`.
  void VisitIndexCall(const Node& cmd, bool dot_is_data) {
    if (cmd.args.size() != 3) return;
    const Node* fn = cmd.args[0];
    const Node* map = cmd.args[1];
    const Node* key = cmd.args[2];
    if (fn->type != NodeType::kIdentifier || fn->text != "index") return;
    if (key->type != NodeType::kString) return;
    const bool is_labels =
        (map->type == NodeType::kVariable && map->ident.size() == 1 &&
         map->ident[0] == "$labels") ||
        (dot_is_data && map->type == NodeType::kField &&
         map->ident.size() == 1 && map->ident[0] == "Labels");
    if (is_labels) Add(key->str);
  }

  void Add(const std::string& name) {
    if (std::find(refs_.begin(), refs_.end(), name) == refs_.end()) {
      refs_.push_back(name);
    }
  }

  std::vector<std::string> refs_;
  int labels_bindings_ = 0;
};

}  // namespace

std::vector<std::string> TemplateLabelRefs(absl::string_view text) {
  // Every way to read a label ($labels, .Labels) contains "abels".
  if (!absl::StrContains(text, "{{") || !absl::StrContains(text, "abels")) {
    return {};
  }
  const std::string name = "__lint";
  // The variables of Prometheus's header, without parsing the header.
  templates::ParseOptions options;
  options.predeclared_vars = {"$labels", "$externalLabels", "$externalURL",
                              "$value"};
  absl::StatusOr<std::unique_ptr<templates::TemplateSet>> set =
      templates::ParseTemplate(name, text, options);
  if (!set.ok()) return {};
  const templates::Tree* tree = (*set)->Find(name);
  if (tree == nullptr) return {};
  RefCollector collector;
  collector.Visit(tree->root, /*dot_is_data=*/true);
  return collector.rebinds_labels() ? std::vector<std::string>{}
                                    : collector.TakeRefs();
}

}  // namespace fraisier::rules::lint
