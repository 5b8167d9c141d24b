// Parse trees of Go's text/template (text/template/parse/node.go): the node
// kinds, their positions (error messages print line:column from them) and
// their String() forms (error messages quote the node being executed).
#ifndef RULES_TEMPLATE_AST_H_
#define RULES_TEMPLATE_AST_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace fraisier::rules::templates {

enum class NodeType {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kElse,  // parser-internal, never in a tree
  kEnd,   // parser-internal, never in a tree
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kTemplate,
  kVariable,
  kWith,
  kBreak,
  kContinue,
};

// What a number literal can stand for (Go's NumberNode simulates ideal
// constants by keeping every representation that is exact).
struct NumberInfo {
  bool is_int = false;
  bool is_uint = false;
  bool is_float = false;
  bool is_complex = false;
  int64_t int64 = 0;
  uint64_t uint64 = 0;
  double float64 = 0;
  double real = 0;  // complex parts
  double imag = 0;
};

// One node. A single struct with the fields of every kind keeps the tree
// simple to build and walk; nodes are owned by their TemplateSet's arena.
struct Node {
  NodeType type;
  size_t pos = 0;  // byte offset in the text the tree was parsed from
  int line = 0;

  std::string text;                // Text, Number, String (quoted), Identifier
  std::string str;                 // String: the unquoted value; Template: name
  std::vector<std::string> ident;  // Field, Variable; Chain: field names
  bool bool_value = false;         // Bool
  NumberInfo number;               // Number

  bool is_assign = false;     // Pipe: `=` rather than `:=`
  std::vector<Node*> decl;    // Pipe: declared variables
  std::vector<Node*> cmds;    // Pipe: commands
  std::vector<Node*> args;    // Command: operands
  std::vector<Node*> nodes;   // List
  Node* pipe = nullptr;       // Action, If, Range, With, Template
  Node* list = nullptr;       // If, Range, With
  Node* else_list = nullptr;  // If, Range, With (null when absent)
  Node* child = nullptr;      // Chain: the term the fields apply to
};

// Go's Node.String(), e.g. `{{if $x}}a{{else}}b{{end}}` or `printf "%d" 1`.
std::string NodeString(const Node& node);

// One named template: the main text or a {{define}} / {{block}}.
struct Tree {
  std::string name;        // for "executing %q"
  std::string parse_name;  // the top-level name, for locations
  Node* root = nullptr;    // a List
};

// All templates of one parse, with the text their positions refer to.
//
// Thread-safety: immutable after parsing; any number of executions may
// share it.
struct TemplateSet {
  std::string text;
  std::map<std::string, Tree, std::less<>> trees;
  std::vector<std::unique_ptr<Node>> arena;

  const Tree* Find(absl::string_view name) const {
    auto it = trees.find(name);
    return it == trees.end() ? nullptr : &it->second;
  }
};

// Go's parse.IsEmptyTree: only space (and comments) in it.
bool IsEmptyTree(const Node* n);

}  // namespace fraisier::rules::templates

#endif  // RULES_TEMPLATE_AST_H_
