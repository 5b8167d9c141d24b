// Internal to the parser: the state of one parse (Go's parse.Tree while
// parsing), shared by parser.cc (structure: templates, actions, control
// structures) and parser_pipeline.cc (pipelines, commands, operands).
#ifndef RULES_TEMPLATE_PARSER_INTERNAL_H_
#define RULES_TEMPLATE_PARSER_INTERNAL_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "rules/template/ast.h"
#include "rules/template/lexer.h"
#include "rules/template/parser.h"

namespace fraisier::rules::templates::internal {

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

// Parses one tree (Go's parse.Tree during parsing).
//
// Thread-safety: not thread-safe; exists for the length of one parse.
//
// Every method returning a pointer returns null on error, with ctx->error
// set; Operand and Term also return null for "not an operand" without an
// error.
class TreeParser {
 public:
  TreeParser(ParseContext* ctx, std::string name)
      : ctx_(ctx), name_(std::move(name)) {}

  // Variables in scope before the text (ParseOptions::predeclared_vars).
  void Predeclare(const std::vector<std::string>& vars) {
    vars_.insert(vars_.end(), vars.begin(), vars.end());
  }
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

}  // namespace fraisier::rules::templates::internal

#endif  // RULES_TEMPLATE_PARSER_INTERNAL_H_
