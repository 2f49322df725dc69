// The library's exceptions as Python exceptions with the C++ message: InvalidParameter and
// FormatError -> ValueError, IoError -> OSError, any other snn::Error -> RuntimeError.
#pragma once

#include <pybind11/pybind11.h>

namespace snn::python {

void register_errors(pybind11::module_& m);

}  // namespace snn::python
