// The independent ODE reference for the neuron model tests: Boost.Odeint's controlled
// Dormand-Prince 5(4) stepper, compiled once in ode_reference.cpp (a host-only TU), because
// Odeint's headers would otherwise double what nvcc parses for every model test of the CUDA build.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <vector>

namespace snn::test {

/// dy/dt = f(y), y of size n: the right-hand side writes dydt[0..n).
using OdeRhs = std::function<void(const double* y, double* dydt)>;

/// Integrates y over [0, t] at tolerance 1e-10 (absolute and relative), first step t / 10.
void reference_solve(const OdeRhs& f, std::vector<double>& y, double t);

/// The same on a fixed-size state; f(const std::array<double, N>&, std::array<double, N>&).
template <std::size_t N, class F>
void reference_solve(F f, std::array<double, N>& y, double t) {
  std::vector<double> v(y.begin(), y.end());
  reference_solve(
      [&](const double* x, double* d) {
        std::array<double, N> xa, da{};
        for (std::size_t k = 0; k < N; ++k) xa[k] = x[k];
        f(xa, da);
        for (std::size_t k = 0; k < N; ++k) d[k] = da[k];
      },
      v, t);
  for (std::size_t k = 0; k < N; ++k) y[k] = v[k];
}

}  // namespace snn::test
