// Pipelines, commands and operands of the parser (parse.go's pipeline,
// command, operand and term).
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/model/go_quote.h"
#include "rules/template/literals.h"
#include "rules/template/parser_internal.h"

namespace fraisier::rules::templates::internal {

Node* TreeParser::Pipeline(absl::string_view context, ItemType end) {
  Item token = PeekNonSpace();
  Node* pipe = New(NodeType::kPipe, token.pos, token.line);
  // Declarations or assignments? Spaces are tokens, so telling "$x := 1"
  // from "$x foo" takes up to three tokens of look-ahead.
  bool more_decls = true;
  while (more_decls) {
    more_decls = false;
    Item v = PeekNonSpace();
    if (v.type != ItemType::kVariable) break;
    Next();
    Item token_after_variable = Peek();
    Item next = PeekNonSpace();
    if (next.type == ItemType::kAssign || next.type == ItemType::kDeclare) {
      pipe->is_assign = next.type == ItemType::kAssign;
      NextNonSpace();
      pipe->decl.push_back(NewVariable(v.pos, v.val));
      vars_.emplace_back(v.val);
    } else if (next.type == ItemType::kChar && next.val == ",") {
      NextNonSpace();
      pipe->decl.push_back(NewVariable(v.pos, v.val));
      vars_.emplace_back(v.val);
      if (context == "range" && pipe->decl.size() < 2) {
        const ItemType t = PeekNonSpace().type;
        if (t == ItemType::kVariable || t == ItemType::kRightDelim ||
            t == ItemType::kRightParen) {
          more_decls = true;  // the second variable of a range
          continue;
        }
        return Errorf("range can only initialize variables");
      }
      return Errorf(absl::StrCat("too many declarations in ", context));
    } else if (token_after_variable.type == ItemType::kSpace) {
      Backup3(std::move(v), std::move(token_after_variable));
    } else {
      Backup2(std::move(v));
    }
  }
  while (true) {
    Item t = NextNonSpace();
    if (t.type == end) {
      if (!CheckPipeline(pipe, context)) return nullptr;
      return pipe;
    }
    switch (t.type) {
      case ItemType::kBool:
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kDot:
      case ItemType::kField:
      case ItemType::kIdentifier:
      case ItemType::kNumber:
      case ItemType::kNil:
      case ItemType::kRawString:
      case ItemType::kString:
      case ItemType::kVariable:
      case ItemType::kLeftParen: {
        Backup();
        Node* cmd = Command();
        if (cmd == nullptr) return nullptr;
        pipe->cmds.push_back(cmd);
        break;
      }
      default:
        return Unexpected(t, context);
    }
  }
}

bool TreeParser::CheckPipeline(Node* pipe, absl::string_view context) {
  if (pipe->cmds.empty()) {
    Errorf(absl::StrCat("missing value for ", context));
    return false;
  }
  // Only the first command of a pipeline can start with a non-executable
  // operand.
  for (size_t i = 1; i < pipe->cmds.size(); ++i) {
    switch (pipe->cmds[i]->args[0]->type) {
      case NodeType::kBool:
      case NodeType::kDot:
      case NodeType::kNil:
      case NodeType::kNumber:
      case NodeType::kString:
        Errorf(
            absl::StrCat("non executable command in pipeline stage ", i + 1));
        return false;
      default:
        break;
    }
  }
  return true;
}

Node* TreeParser::Command() {
  Node* cmd = New(NodeType::kCommand, PeekNonSpace().pos);
  while (true) {
    PeekNonSpace();  // skip leading spaces
    Node* operand = Operand();
    if (ctx_->failed()) return nullptr;
    if (operand != nullptr) cmd->args.push_back(operand);
    Item token = Next();
    if (token.type == ItemType::kSpace) continue;
    if (token.type == ItemType::kRightDelim ||
        token.type == ItemType::kRightParen) {
      Backup();
    } else if (token.type != ItemType::kPipe) {
      return Unexpected(token, "operand");
    }
    break;
  }
  if (cmd->args.empty()) return Errorf("empty command");
  return cmd;
}

Node* TreeParser::Operand() {
  Node* node = Term();
  if (node == nullptr) return nullptr;
  if (Peek().type == ItemType::kField) {
    Node* chain = New(NodeType::kChain, Peek().pos);
    chain->child = node;
    while (Peek().type == ItemType::kField) {
      chain->ident.emplace_back(Next().val.substr(1));
    }
    // A field or variable just gets the fields appended; literals cannot
    // have fields.
    switch (node->type) {
      case NodeType::kField:
        return NewField(chain->pos, NodeString(*chain));
      case NodeType::kVariable:
        return NewVariable(chain->pos, NodeString(*chain));
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        return Errorf(absl::StrCat("unexpected . after term ",
                                   GoQuote(NodeString(*node))));
      default:
        return chain;
    }
  }
  return node;
}

Node* TreeParser::Term() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kIdentifier: {
      const ParseOptions& o = *ctx_->options;
      if (o.has_function != nullptr && !o.has_function(token.val)) {
        return Errorf(
            absl::StrCat("function ", GoQuote(token.val), " not defined"));
      }
      Node* n = New(NodeType::kIdentifier, token.pos);
      n->text = std::string(token.val);
      return n;
    }
    case ItemType::kDot:
      return New(NodeType::kDot, token.pos);
    case ItemType::kNil:
      return New(NodeType::kNil, token.pos);
    case ItemType::kVariable:
      return UseVar(token.pos, token.val);
    case ItemType::kField:
      return NewField(token.pos, token.val);
    case ItemType::kBool: {
      Node* n = New(NodeType::kBool, token.pos);
      n->bool_value = token.val == "true";
      return n;
    }
    case ItemType::kCharConstant:
    case ItemType::kComplex:
    case ItemType::kNumber: {
      absl::StatusOr<NumberInfo> number =
          ParseNumberLiteral(token.val, token.type);
      if (!number.ok()) return Errorf(number.status().message());
      Node* n = New(NodeType::kNumber, token.pos);
      n->number = *number;
      n->text = std::string(token.val);
      return n;
    }
    case ItemType::kLeftParen: {
      if (!EnterNesting()) return nullptr;
      Node* pipe = Pipeline("parenthesized pipeline", ItemType::kRightParen);
      --ctx_->depth;
      return pipe;
    }
    case ItemType::kString:
    case ItemType::kRawString: {
      absl::StatusOr<std::string> s = GoUnquote(token.val);
      if (!s.ok()) return Errorf(s.status().message());
      Node* n = New(NodeType::kString, token.pos);
      n->text = std::string(token.val);
      n->str = *std::move(s);
      return n;
    }
    default:
      Backup();
      return nullptr;
  }
}

Node* TreeParser::UseVar(size_t pos, absl::string_view name) {
  Node* v = NewVariable(pos, name);
  for (const std::string& var : vars_) {
    if (var == v->ident[0]) return v;
  }
  return Errorf(absl::StrCat("undefined variable ", GoQuote(v->ident[0])));
}

}  // namespace fraisier::rules::templates::internal
