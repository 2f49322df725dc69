// A learning-rate factor written as an expression of the epoch ("0.95^epoch",
// "epoch < 5 ? (epoch + 1) / 5 : 1"), parsed once by muparser (Debian's libmuparser-dev) and
// evaluated per epoch: the command line's LambdaLR.
#pragma once

#include <functional>
#include <string>

namespace snn::learning {

/// The function epoch ↦ value of `expression`, whose only variable is `epoch`. Throws
/// InvalidParameter naming the expression and the parser's message for a syntax error or another
/// variable (checked by evaluating at epoch 0).
std::function<double(int)> parse_lr_expression(const std::string& expression);

}  // namespace snn::learning
