#include "rules/template/ast.h"

#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "engine/model/go_quote.h"

namespace fraisier::rules::templates {
namespace {

// Writes nodes iteratively where the tree can be deep (lists inside
// branches inside lists): an explicit stack of pending pieces.
struct Piece {
  const Node* node;       // node to write, or null for a literal
  absl::string_view lit;  // literal text when node is null
};

void WriteTo(const Node& root, std::string* out) {
  std::vector<Piece> stack;
  stack.push_back({&root, {}});
  // Pushes pieces so that they come out in the given order.
  auto push = [&stack](std::initializer_list<Piece> pieces) {
    for (auto it = pieces.end(); it != pieces.begin();) {
      --it;
      stack.push_back(*it);
    }
  };
  while (!stack.empty()) {
    const Piece piece = stack.back();
    stack.pop_back();
    if (piece.node == nullptr) {
      absl::StrAppend(out, piece.lit);
      continue;
    }
    const Node& n = *piece.node;
    switch (n.type) {
      case NodeType::kText:
      case NodeType::kNumber:
      case NodeType::kIdentifier:
        out->append(n.text);
        break;
      case NodeType::kString:
        out->append(n.text);
        break;
      case NodeType::kBool:
        out->append(n.bool_value ? "true" : "false");
        break;
      case NodeType::kDot:
        out->append(".");
        break;
      case NodeType::kNil:
        out->append("nil");
        break;
      case NodeType::kElse:
        out->append("{{else}}");
        break;
      case NodeType::kEnd:
        out->append("{{end}}");
        break;
      case NodeType::kBreak:
        out->append("{{break}}");
        break;
      case NodeType::kContinue:
        out->append("{{continue}}");
        break;
      case NodeType::kField:
        for (const std::string& id : n.ident) {
          out->push_back('.');
          out->append(id);
        }
        break;
      case NodeType::kVariable:
        for (size_t i = 0; i < n.ident.size(); ++i) {
          if (i > 0) out->push_back('.');
          out->append(n.ident[i]);
        }
        break;
      case NodeType::kChain: {
        std::vector<Piece> pieces;
        if (n.child->type == NodeType::kPipe) {
          pieces = {{nullptr, "("}, {n.child, {}}, {nullptr, ")"}};
        } else {
          pieces = {{n.child, {}}};
        }
        for (const std::string& f : n.ident) {
          pieces.push_back({nullptr, "."});
          pieces.push_back({nullptr, f});
        }
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
          stack.push_back(*it);
        }
        break;
      }
      case NodeType::kList:
        for (auto it = n.nodes.rbegin(); it != n.nodes.rend(); ++it) {
          stack.push_back({*it, {}});
        }
        break;
      case NodeType::kPipe: {
        std::vector<Piece> pieces;
        for (size_t i = 0; i < n.decl.size(); ++i) {
          if (i > 0) pieces.push_back({nullptr, ", "});
          pieces.push_back({n.decl[i], {}});
        }
        if (!n.decl.empty()) pieces.push_back({nullptr, " := "});
        for (size_t i = 0; i < n.cmds.size(); ++i) {
          if (i > 0) pieces.push_back({nullptr, " | "});
          pieces.push_back({n.cmds[i], {}});
        }
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
          stack.push_back(*it);
        }
        break;
      }
      case NodeType::kCommand: {
        std::vector<Piece> pieces;
        for (size_t i = 0; i < n.args.size(); ++i) {
          if (i > 0) pieces.push_back({nullptr, " "});
          if (n.args[i]->type == NodeType::kPipe) {
            pieces.push_back({nullptr, "("});
            pieces.push_back({n.args[i], {}});
            pieces.push_back({nullptr, ")"});
          } else {
            pieces.push_back({n.args[i], {}});
          }
        }
        for (auto it = pieces.rbegin(); it != pieces.rend(); ++it) {
          stack.push_back(*it);
        }
        break;
      }
      case NodeType::kAction:
        push({{nullptr, "{{"}, {n.pipe, {}}, {nullptr, "}}"}});
        break;
      case NodeType::kIf:
      case NodeType::kRange:
      case NodeType::kWith: {
        const absl::string_view open = n.type == NodeType::kIf      ? "{{if "
                                       : n.type == NodeType::kRange ? "{{range "
                                                                    : "{{with ";
        if (n.else_list != nullptr) {
          push({{nullptr, open},
                {n.pipe, {}},
                {nullptr, "}}"},
                {n.list, {}},
                {nullptr, "{{else}}"},
                {n.else_list, {}},
                {nullptr, "{{end}}"}});
        } else {
          push({{nullptr, open},
                {n.pipe, {}},
                {nullptr, "}}"},
                {n.list, {}},
                {nullptr, "{{end}}"}});
        }
        break;
      }
      case NodeType::kTemplate:
        out->append("{{template ");
        out->append(GoQuote(n.str));
        if (n.pipe != nullptr) {
          out->push_back(' ');
          push({{n.pipe, {}}, {nullptr, "}}"}});
        } else {
          out->append("}}");
        }
        break;
    }
  }
}

}  // namespace

std::string NodeString(const Node& node) {
  std::string out;
  WriteTo(node, &out);
  return out;
}

bool IsEmptyTree(const Node* n) {
  if (n == nullptr) return true;
  switch (n->type) {
    case NodeType::kList:
      for (const Node* child : n->nodes) {
        if (!IsEmptyTree(child)) return false;
      }
      return true;
    case NodeType::kText:
      for (char c : n->text) {
        if (!absl::ascii_isspace(static_cast<unsigned char>(c))) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace fraisier::rules::templates
