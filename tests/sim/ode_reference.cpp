#include "tests/sim/ode_reference.h"

#include <boost/numeric/odeint.hpp>

namespace snn::test {

void reference_solve(const OdeRhs& f, std::vector<double>& y, double t) {
  using namespace boost::numeric::odeint;
  using State = std::vector<double>;
  auto rhs = [&](const State& x, State& d, double) { f(x.data(), d.data()); };
  integrate_adaptive(make_controlled(1e-10, 1e-10, runge_kutta_dopri5<State>()), rhs, y, 0.0, t,
                     t / 10);
}

}  // namespace snn::test
