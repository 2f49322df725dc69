// Surrogate names, parsing and validation.
#include "learning/surrogate/surrogate.h"

#include <cmath>

#include "sim/core/errors.h"

namespace snn::learning {

std::string surrogate_name(SurrogateKind kind) {
  switch (kind) {
    case SurrogateKind::ATan: return "atan";
    case SurrogateKind::Sigmoid: return "sigmoid";
    case SurrogateKind::PiecewiseQuadratic: return "piecewise_quadratic";
    case SurrogateKind::SoftSign: return "soft_sign";
  }
  return "unknown";
}

Surrogate parse_surrogate(const std::string& name) {
  if (name == "atan") return Surrogate::atan();
  if (name == "sigmoid") return Surrogate::sigmoid();
  if (name == "piecewise_quadratic") return Surrogate::piecewise_quadratic();
  if (name == "soft_sign") return Surrogate::soft_sign();
  throw InvalidParameter("unknown surrogate '" + name +
                         "': expected atan, sigmoid, piecewise_quadratic or soft_sign");
}

void validate(const Surrogate& s) {
  require(std::isfinite(s.alpha) && s.alpha > 0,
          "surrogate alpha must be > 0, got " + std::to_string(s.alpha));
}

}  // namespace snn::learning
