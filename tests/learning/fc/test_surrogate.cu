// Surrogate gradients: each equals the derivative of its smooth primitive (central finite
// differences in double precision), SpikingJelly's defaults and formulas at known points.
#include <gtest/gtest.h>

#include <cmath>

#include "learning/surrogate/surrogate.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

const SurrogateKind kKinds[] = {SurrogateKind::ATan, SurrogateKind::Sigmoid,
                                SurrogateKind::PiecewiseQuadratic, SurrogateKind::SoftSign};

TEST(Surrogate, GradientIsTheDerivativeOfThePrimitive) {
  for (SurrogateKind kind : kKinds)
    for (double alpha : {0.5, 1.0, 2.0, 4.0}) {
      for (double x = -2.013; x <= 2.0; x += 0.0917) {
        if (kind == SurrogateKind::PiecewiseQuadratic && std::fabs(std::fabs(x) - 1 / alpha) < 1e-4)
          continue;  // the kink of the piecewise primitive's derivative
        const double e = 1e-6;
        const double fd = (surrogate_primitive(kind, alpha, x + e) - surrogate_primitive(kind, alpha, x - e)) / (2 * e);
        EXPECT_NEAR(surrogate_grad(kind, alpha, x), fd, 1e-8)
            << surrogate_name(kind) << " alpha " << alpha << " x " << x;
      }
      // a probability-like primitive: 0 far left, 1/2 at 0, 1 far right
      EXPECT_NEAR(surrogate_primitive(kind, alpha, 0.0), 0.5, 1e-15) << surrogate_name(kind);
      EXPECT_NEAR(surrogate_primitive(kind, alpha, -1e4), 0.0, 1e-3) << surrogate_name(kind);
      EXPECT_NEAR(surrogate_primitive(kind, alpha, 1e4), 1.0, 1e-3) << surrogate_name(kind);
    }
}

TEST(Surrogate, FormulasAtKnownPoints) {
  const double pi = 3.14159265358979323846;
  // ATan: (alpha/2) / (1 + (pi/2 alpha x)^2)
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::ATan, 2.0, 0.0), 1.0);
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::ATan, 2.0, 0.5), 1.0 / (1.0 + (pi / 2) * (pi / 2)));
  // Sigmoid: alpha sg (1 - sg)
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::Sigmoid, 4.0, 0.0), 1.0);
  const double sg = 1.0 / (1.0 + std::exp(-2.0));
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::Sigmoid, 4.0, 0.5), 4.0 * sg * (1 - sg));
  // PiecewiseQuadratic: alpha - alpha^2 |x| inside 1/alpha, 0 outside
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::PiecewiseQuadratic, 1.0, 0.25), 0.75);
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::PiecewiseQuadratic, 1.0, -0.25), 0.75);
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::PiecewiseQuadratic, 1.0, 1.5), 0.0);
  // SoftSign: alpha / (2 (1 + |alpha x|)^2)
  EXPECT_DOUBLE_EQ(surrogate_grad(SurrogateKind::SoftSign, 2.0, 0.5), 2.0 / (2.0 * 4.0));
  // float and double agree
  EXPECT_NEAR(surrogate_grad(SurrogateKind::ATan, 2.0f, 0.3f), surrogate_grad(SurrogateKind::ATan, 2.0, 0.3), 1e-6);
}

TEST(Surrogate, HeavisideFiresAtZero) {
  EXPECT_EQ(heaviside(0.0), 1.0);
  EXPECT_EQ(heaviside(-1e-300), 0.0);
  EXPECT_EQ(heaviside(0.5f), 1.0f);
}

TEST(Surrogate, DefaultsAndParsing) {
  Surrogate s;
  EXPECT_EQ(s.kind, SurrogateKind::ATan);
  EXPECT_EQ(s.alpha, 2.0);
  EXPECT_EQ(parse_surrogate("sigmoid").alpha, 4.0);
  EXPECT_EQ(parse_surrogate("piecewise_quadratic").alpha, 1.0);
  EXPECT_EQ(parse_surrogate("soft_sign").alpha, 2.0);
  for (SurrogateKind k : kKinds) EXPECT_EQ(parse_surrogate(surrogate_name(k)).kind, k);
  EXPECT_THROW(parse_surrogate("tanh"), InvalidParameter);
  EXPECT_THROW(validate(Surrogate{SurrogateKind::ATan, 0.0}), InvalidParameter);
  EXPECT_THROW(validate(Surrogate{SurrogateKind::Sigmoid, -1.0}), InvalidParameter);
  EXPECT_NO_THROW(validate(Surrogate::sigmoid()));
}

}  // namespace
}  // namespace snn::learning
