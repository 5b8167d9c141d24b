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

namespace fraisier::rules::templates {
namespace {

// State shared by the trees of one parse (Go's treeSet, lexer and funcs).
struct ParseContext {
  Lexer* lexer;
  TemplateSet* set;
  const ParseOptions* options;
  std::string parse_name;
  absl::Status error;
  int depth = 0;  // current nesting, bounded by options->max_depth

  bool failed() const { return !error.ok(); }
};

// Parses one tree (Go's parse.Tree during parsing). Every method returning a
// pointer returns null on error, with ctx->error set; Operand and Term also
// return null for "not an operand" without an error.
class TreeParser {
 public:
  TreeParser(ParseContext* ctx, std::string name)
      : ctx_(ctx), name_(std::move(name)) {}

  // The top-level template: text and actions to EOF, plus {{define}}s.
  bool ParseTop();
  // A {{define}}; the "define" keyword has been read.
  bool ParseDefinition();
  // A {{block}} body, into this (the block's) tree.
  bool ParseBlockBody(TreeParser* outer);

 private:
  Item Next();
  void Backup() { ++peek_count_; }
  void Backup2(Item t1) {
    token_[1] = std::move(t1);
    peek_count_ = 2;
  }
  void Backup3(Item t2, Item t1) {
    token_[1] = std::move(t1);
    token_[2] = std::move(t2);
    peek_count_ = 3;
  }
  Item Peek();
  Item NextNonSpace();
  Item PeekNonSpace();

  std::nullptr_t Errorf(absl::string_view message);
  std::nullptr_t Unexpected(const Item& token, absl::string_view context);
  bool Expect(ItemType expected, absl::string_view context, Item* token);
  bool Add();

  Node* New(NodeType type, size_t pos, int line = 0);
  Node* NewVariable(size_t pos, absl::string_view ident);
  Node* NewField(size_t pos, absl::string_view ident);

  std::pair<Node*, Node*> ItemList();  // {list, end-or-else}
  Node* TextOrAction();
  Node* Action();
  Node* BreakOrContinue(NodeType type, const Item& keyword);
  Node* Pipeline(absl::string_view context, ItemType end);
  bool CheckPipeline(Node* pipe, absl::string_view context);
  Node* ParseControl(bool allow_else_if, NodeType type,
                     absl::string_view context);
  Node* ElseControl();
  Node* EndControl();
  Node* BlockControl();
  Node* TemplateControl();
  bool ParseTemplateName(const Item& token, absl::string_view context,
                         std::string* name);
  Node* Command();
  Node* Operand();
  Node* Term();
  Node* UseVar(size_t pos, absl::string_view name);
  bool EnterNesting();

  ParseContext* ctx_;
  std::string name_;
  Node* root_ = nullptr;
  Item token_[3];
  int peek_count_ = 0;
  std::vector<std::string> vars_ = {"$"};
  int action_line_ = 0;
  int range_depth_ = 0;
};

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
      if (absl::EndsWith(token.val, " action")) {
        extra = extra.substr(std::string(" in action").size());
      }
    }
    return Errorf(absl::StrCat(token.val, extra));
  }
  return Errorf(absl::StrCat("unexpected ", ItemString(token), " in ", context));
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
  if (range_depth_ == 0) return Errorf(absl::StrCat(name, " outside {{range}}"));
  return New(type, keyword.pos, keyword.line);
}

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
        Errorf(absl::StrCat("non executable command in pipeline stage ",
                            i + 1));
        return false;
      default:
        break;
    }
  }
  return true;
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
  if (peek.type == ItemType::kIf) return New(NodeType::kElse, peek.pos, peek.line);
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

}  // namespace

absl::StatusOr<std::unique_ptr<TemplateSet>> ParseTemplate(
    absl::string_view name, absl::string_view text,
    const ParseOptions& options) {
  auto set = std::make_unique<TemplateSet>();
  set->text = std::string(text);
  Lexer lexer(set->text);
  ParseContext ctx{&lexer, set.get(), &options, std::string(name),
                   absl::OkStatus()};
  TreeParser top(&ctx, std::string(name));
  if (!top.ParseTop() || ctx.failed()) return ctx.error;
  return set;
}

}  // namespace fraisier::rules::templates
