// Long runs without the GIL that Ctrl-C can stop. The engine calls a callback between steps or
// batches; the callback takes the GIL for a moment and asks Python whether a signal arrived
// (PyErr_CheckSignals runs the handlers: SIGINT raises KeyboardInterrupt). If one did, it throws
// Interrupted, which unwinds the engine to a consistent point (the end of a step block or batch),
// and without_gil() gives the Python error back to the caller.
#pragma once

#include <pybind11/pybind11.h>

#include <functional>

namespace snn::python {

/// Thrown through the engine by the check; carries nothing (the error stays with Python).
struct Interrupted {};

/// Checks for pending signals (the caller does not hold the GIL); throws Interrupted.
inline void check_signals_without_gil() {
  pybind11::gil_scoped_acquire gil;
  if (PyErr_CheckSignals() != 0) throw Interrupted{};
}

/// Runs f() with the GIL released. An Interrupted from the signal check becomes the Python error
/// that the signal handler raised (KeyboardInterrupt for Ctrl-C).
template <class F>
auto without_gil(F&& f) -> decltype(f()) {
  try {
    pybind11::gil_scoped_release release;
    return f();
  } catch (const Interrupted&) {
    throw pybind11::error_already_set();
  }
}

}  // namespace snn::python
