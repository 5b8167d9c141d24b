#include "rules/template/parser.h"

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "engine/model/go_quote.h"
#include "rules/template/lexer.h"
#include "rules/template/literals.h"
#include "rules/template/parser_internal.h"

namespace fraisier::rules::templates {
namespace internal {

Item TreeParser::Next() {
  if (peek_count_ > 0) {
    --peek_count_;
  } else {
    token_[0] = ctx_->lexer->NextItem();
  }
  return token_[peek_count_];
}

Item TreeParser::Peek() {
  if (peek_count_ > 0) return token_[peek_count_ - 1];
  peek_count_ = 1;
  token_[0] = ctx_->lexer->NextItem();
  return token_[0];
}

Item TreeParser::NextNonSpace() {
  Item token;
  do {
    token = Next();
  } while (token.type == ItemType::kSpace);
  return token;
}

Item TreeParser::PeekNonSpace() {
  Item token = NextNonSpace();
  Backup();
  return token;
}

std::nullptr_t TreeParser::Errorf(absl::string_view message) {
  if (!ctx_->failed()) {
    ctx_->error = absl::InvalidArgumentError(absl::StrCat(
        "template: ", ctx_->parse_name, ":", token_[0].line, ": ", message));
  }
  return nullptr;
}

std::nullptr_t TreeParser::Unexpected(const Item& token,
                                      absl::string_view context) {
  if (token.type == ItemType::kError) {
    std::string extra;
    if (action_line_ != 0 && action_line_ != token.line) {
      extra = absl::StrCat(" in action started at ", ctx_->parse_name, ":",
                           action_line_);
      if (absl::EndsWith(token.text(), " action")) {
        extra = extra.substr(std::string(" in action").size());
      }
    }
    return Errorf(absl::StrCat(token.text(), extra));
  }
  return Errorf(
      absl::StrCat("unexpected ", ItemString(token), " in ", context));
}

bool TreeParser::Expect(ItemType expected, absl::string_view context,
                        Item* token) {
  *token = NextNonSpace();
  if (token->type != expected) {
    Unexpected(*token, context);
    return false;
  }
  return true;
}

Node* TreeParser::New(NodeType type, size_t pos, int line) {
  auto node = std::make_unique<Node>();
  node->type = type;
  node->pos = pos;
  node->line = line;
  Node* raw = node.get();
  ctx_->set->arena.push_back(std::move(node));
  return raw;
}

Node* TreeParser::NewVariable(size_t pos, absl::string_view ident) {
  Node* n = New(NodeType::kVariable, pos);
  n->ident = absl::StrSplit(ident, '.');
  return n;
}

Node* TreeParser::NewField(size_t pos, absl::string_view ident) {
  Node* n = New(NodeType::kField, pos);
  n->ident = absl::StrSplit(ident.substr(1), '.');
  return n;
}

bool TreeParser::EnterNesting() {
  if (ctx_->depth >= ctx_->options->max_depth) {
    Errorf(absl::StrCat("template nests deeper than the limit of ",
                        ctx_->options->max_depth));
    return false;
  }
  ++ctx_->depth;
  return true;
}

bool TreeParser::Add() {
  auto it = ctx_->set->trees.find(name_);
  if (it == ctx_->set->trees.end() || IsEmptyTree(it->second.root)) {
    Tree& tree = ctx_->set->trees[name_];
    tree.name = name_;
    tree.parse_name = ctx_->parse_name;
    tree.root = root_;
    return true;
  }
  if (!IsEmptyTree(root_)) {
    Errorf(absl::StrCat("template: multiple definition of template ",
                        GoQuote(name_)));
    return false;
  }
  return true;
}

bool TreeParser::ParseTop() {
  root_ = New(NodeType::kList, Peek().pos);
  while (Peek().type != ItemType::kEOF) {
    if (Peek().type == ItemType::kLeftDelim) {
      Item delim = Next();
      if (NextNonSpace().type == ItemType::kDefine) {
        TreeParser definition(ctx_, "definition");
        if (!definition.ParseDefinition()) return false;
        continue;
      }
      Backup2(std::move(delim));
    }
    Node* n = TextOrAction();
    if (n == nullptr) return false;
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
      Errorf(absl::StrCat("unexpected ", NodeString(*n)));
      return false;
    }
    root_->nodes.push_back(n);
  }
  return Add();
}

bool TreeParser::ParseDefinition() {
  constexpr absl::string_view kContext = "define clause";
  Item name = NextNonSpace();
  if (name.type != ItemType::kString && name.type != ItemType::kRawString) {
    Unexpected(name, kContext);
    return false;
  }
  absl::StatusOr<std::string> unquoted = GoUnquote(name.val);
  if (!unquoted.ok()) {
    Errorf(unquoted.status().message());
    return false;
  }
  name_ = *std::move(unquoted);
  Item delim;
  if (!Expect(ItemType::kRightDelim, kContext, &delim)) return false;
  auto [list, end] = ItemList();
  if (list == nullptr) return false;
  root_ = list;
  if (end->type != NodeType::kEnd) {
    Errorf(absl::StrCat("unexpected ", NodeString(*end), " in ", kContext));
    return false;
  }
  return Add();
}

bool TreeParser::ParseBlockBody(TreeParser* outer) {
  auto [list, end] = ItemList();
  if (list == nullptr) return false;
  root_ = list;
  if (end->type != NodeType::kEnd) {
    outer->Errorf(
        absl::StrCat("unexpected ", NodeString(*end), " in block clause"));
    return false;
  }
  return Add();
}

std::pair<Node*, Node*> TreeParser::ItemList() {
  Node* list = New(NodeType::kList, PeekNonSpace().pos);
  while (PeekNonSpace().type != ItemType::kEOF) {
    Node* n = TextOrAction();
    if (n == nullptr) return {nullptr, nullptr};
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
      return {list, n};
    }
    list->nodes.push_back(n);
  }
  Errorf("unexpected EOF");
  return {nullptr, nullptr};
}

Node* TreeParser::TextOrAction() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kText: {
      Node* n = New(NodeType::kText, token.pos);
      n->text = std::string(token.val);
      return n;
    }
    case ItemType::kLeftDelim: {
      action_line_ = token.line;
      Node* n = Action();
      action_line_ = 0;
      return n;
    }
    default:
      return Unexpected(token, "input");
  }
}

Node* TreeParser::Action() {
  Item token = NextNonSpace();
  switch (token.type) {
    case ItemType::kBlock:
      return BlockControl();
    case ItemType::kBreak:
      return BreakOrContinue(NodeType::kBreak, token);
    case ItemType::kContinue:
      return BreakOrContinue(NodeType::kContinue, token);
    case ItemType::kElse:
      return ElseControl();
    case ItemType::kEnd:
      return EndControl();
    case ItemType::kIf:
      return ParseControl(true, NodeType::kIf, "if");
    case ItemType::kRange:
      return ParseControl(false, NodeType::kRange, "range");
    case ItemType::kTemplate:
      return TemplateControl();
    case ItemType::kWith:
      return ParseControl(false, NodeType::kWith, "with");
    default:
      break;
  }
  Backup();
  token = Peek();
  Node* action = New(NodeType::kAction, token.pos, token.line);
  // Variables declared here persist until the enclosing {{end}}.
  action->pipe = Pipeline("command", ItemType::kRightDelim);
  if (action->pipe == nullptr) return nullptr;
  return action;
}

Node* TreeParser::BreakOrContinue(NodeType type, const Item& keyword) {
  const absl::string_view name =
      type == NodeType::kBreak ? "{{break}}" : "{{continue}}";
  Item token = NextNonSpace();
  if (token.type != ItemType::kRightDelim) return Unexpected(token, name);
  if (range_depth_ == 0)
    return Errorf(absl::StrCat(name, " outside {{range}}"));
  return New(type, keyword.pos, keyword.line);
}

Node* TreeParser::ParseControl(bool allow_else_if, NodeType type,
                               absl::string_view context) {
  if (!EnterNesting()) return nullptr;
  const size_t vars_mark = vars_.size();
  Node* result = nullptr;
  do {
    Node* pipe = Pipeline(context, ItemType::kRightDelim);
    if (pipe == nullptr) break;
    if (type == NodeType::kRange) ++range_depth_;
    auto [list, next] = ItemList();
    if (type == NodeType::kRange) --range_depth_;
    if (list == nullptr) break;
    Node* else_list = nullptr;
    if (next->type == NodeType::kElse) {
      if (allow_else_if && Peek().type == ItemType::kIf) {
        // {{if a}}_{{else if b}}_{{end}} is {{if a}}_{{else}}{{if b}}_{{end}}
        // {{end}}: parse the inner if; its {{end}} closes both.
        Next();
        else_list = New(NodeType::kList, next->pos);
        Node* inner = ParseControl(true, NodeType::kIf, "if");
        if (inner == nullptr) break;
        else_list->nodes.push_back(inner);
      } else {
        auto [elist, end] = ItemList();
        if (elist == nullptr) break;
        if (end->type != NodeType::kEnd) {
          Errorf(absl::StrCat("expected end; found ", NodeString(*end)));
          break;
        }
        else_list = elist;
      }
    }
    result = New(type, pipe->pos, pipe->line);
    result->pipe = pipe;
    result->list = list;
    result->else_list = else_list;
  } while (false);
  vars_.resize(vars_mark);
  --ctx_->depth;
  return result;
}

Node* TreeParser::ElseControl() {
  // "{{else if ..." becomes "{{else}}{{if ...": leave the "if" pending.
  Item peek = PeekNonSpace();
  if (peek.type == ItemType::kIf)
    return New(NodeType::kElse, peek.pos, peek.line);
  Item token;
  if (!Expect(ItemType::kRightDelim, "else", &token)) return nullptr;
  return New(NodeType::kElse, token.pos, token.line);
}

Node* TreeParser::EndControl() {
  Item token;
  if (!Expect(ItemType::kRightDelim, "end", &token)) return nullptr;
  return New(NodeType::kEnd, token.pos);
}

bool TreeParser::ParseTemplateName(const Item& token, absl::string_view context,
                                   std::string* name) {
  if (token.type != ItemType::kString && token.type != ItemType::kRawString) {
    Unexpected(token, context);
    return false;
  }
  absl::StatusOr<std::string> s = GoUnquote(token.val);
  if (!s.ok()) {
    Errorf(s.status().message());
    return false;
  }
  *name = *std::move(s);
  return true;
}

Node* TreeParser::BlockControl() {
  constexpr absl::string_view kContext = "block clause";
  Item token = NextNonSpace();
  std::string name;
  if (!ParseTemplateName(token, kContext, &name)) return nullptr;
  Node* pipe = Pipeline(kContext, ItemType::kRightDelim);
  if (pipe == nullptr) return nullptr;
  if (!EnterNesting()) return nullptr;
  TreeParser block(ctx_, name);
  const bool ok = block.ParseBlockBody(this);
  --ctx_->depth;
  if (!ok) return nullptr;
  Node* n = New(NodeType::kTemplate, token.pos, token.line);
  n->str = name;
  n->pipe = pipe;
  return n;
}

Node* TreeParser::TemplateControl() {
  constexpr absl::string_view kContext = "template clause";
  Item token = NextNonSpace();
  std::string name;
  if (!ParseTemplateName(token, kContext, &name)) return nullptr;
  Node* pipe = nullptr;
  if (NextNonSpace().type != ItemType::kRightDelim) {
    Backup();
    pipe = Pipeline(kContext, ItemType::kRightDelim);
    if (pipe == nullptr) return nullptr;
  }
  Node* n = New(NodeType::kTemplate, token.pos, token.line);
  n->str = name;
  n->pipe = pipe;
  return n;
}

}  // namespace internal

absl::StatusOr<std::unique_ptr<TemplateSet>> ParseTemplate(
    absl::string_view name, absl::string_view text,
    const ParseOptions& options) {
  auto set = std::make_unique<TemplateSet>();
  set->text = std::string(text);
  Lexer lexer(set->text);
  internal::ParseContext ctx{&lexer, set.get(), &options, std::string(name),
                             absl::OkStatus()};
  internal::TreeParser top(&ctx, std::string(name));
  top.Predeclare(options.predeclared_vars);
  if (!top.ParseTop() || ctx.failed()) return ctx.error;
  return set;
}

}  // namespace fraisier::rules::templates
