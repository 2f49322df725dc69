// muparser behind a std::function: the parser and its variable live in one shared object that
// the function owns (muparser keeps a pointer to the variable).
#include "learning/optim/lr_expression.h"

#include <muParser.h>

#include <memory>

#include "sim/core/errors.h"

namespace snn::learning {

namespace {

struct Expression {
  mu::Parser parser;
  double epoch = 0;
};

std::string message_of(const mu::Parser::exception_type& e) {
  return std::string(e.GetMsg());
}

}  // namespace

std::function<double(int)> parse_lr_expression(const std::string& text) {
  require(!text.empty(), "-lr-lambda: the expression is empty (e.g. \"0.95^epoch\")");
  auto ex = std::make_shared<Expression>();
  try {
    ex->parser.DefineVar("epoch", &ex->epoch);
    ex->parser.SetExpr(text);
    ex->parser.Eval();  // syntax and unknown variables are found here
  } catch (const mu::Parser::exception_type& e) {
    throw InvalidParameter("lr lambda \"" + text + "\": " + message_of(e) +
                           " (the variable is 'epoch', e.g. \"0.95^epoch\")");
  }
  return [ex, text](int epoch) {
    ex->epoch = static_cast<double>(epoch);
    try {
      return static_cast<double>(ex->parser.Eval());
    } catch (const mu::Parser::exception_type& e) {
      throw InvalidParameter("lr lambda \"" + text + "\" at epoch " + std::to_string(epoch) + ": " +
                             message_of(e));
    }
  };
}

}  // namespace snn::learning
