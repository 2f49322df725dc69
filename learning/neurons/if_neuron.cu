// IF parameters, validation and description (the dynamics are in neuron.cu).
#include <cmath>
#include <sstream>

#include "learning/neurons/if_neuron.h"
#include "sim/core/errors.h"

namespace snn::learning {

void validate(const IFParams& p) {
  require(std::isfinite(p.v_threshold), "IF v_threshold must be finite");
  require(!p.hard_reset || (std::isfinite(p.v_reset) && p.v_reset < p.v_threshold),
          "IF v_reset must be < v_threshold (" + std::to_string(p.v_threshold) + "), got " +
              std::to_string(p.v_reset));
  validate(p.surrogate);
}

template <class T>
NeuronCoeffs<T> if_coeffs(const IFParams& p) {
  NeuronCoeffs<T> c = reset_coeffs<T>(p);
  c.leak = false;
  c.decay_input = false;
  c.k_v = T(1);
  c.k_x = T(1);
  return c;
}

template <class T>
IF<T>::IF(const IFParams& params) : params_(params) {
  validate(params_);
  this->coeffs_ = if_coeffs<T>(params_);
}

template <class T>
std::string IF<T>::describe() const {
  std::ostringstream s;
  s << "IF(v_threshold=" << params_.v_threshold
    << ", v_reset=" << (params_.hard_reset ? std::to_string(params_.v_reset) : std::string("None"))
    << ", detach_reset=" << (params_.detach_reset ? "true" : "false")
    << ", surrogate=" << surrogate_name(params_.surrogate.kind)
    << "(alpha=" << params_.surrogate.alpha << "))";
  return s.str();
}

template NeuronCoeffs<float> if_coeffs<float>(const IFParams&);
template NeuronCoeffs<double> if_coeffs<double>(const IFParams&);
template class IF<float>;
template class IF<double>;

}  // namespace snn::learning
