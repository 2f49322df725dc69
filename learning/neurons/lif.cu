// LIF parameters, validation and description (the dynamics are in neuron.cu).
#include <cmath>
#include <sstream>

#include "learning/neurons/lif.h"
#include "sim/core/errors.h"

namespace snn::learning {

void validate(const LIFParams& p) {
  require(std::isfinite(p.tau) && p.tau > 1.0,
          "LIF tau must be > 1 (time steps), got " + std::to_string(p.tau));
  require(std::isfinite(p.v_threshold), "LIF v_threshold must be finite");
  require(!p.hard_reset || (std::isfinite(p.v_reset) && p.v_reset < p.v_threshold),
          "LIF v_reset must be < v_threshold (" + std::to_string(p.v_threshold) + "), got " +
              std::to_string(p.v_reset));
  validate(p.surrogate);
}

template <class T>
NeuronCoeffs<T> lif_coeffs(const LIFParams& p) {
  NeuronCoeffs<T> c = reset_coeffs<T>(p);
  c.leak = true;
  c.decay_input = p.decay_input;
  c.inv_tau = T(1) / T(p.tau);
  c.k_v = T(1) - c.inv_tau;
  c.k_x = p.decay_input ? T(1) / T(p.tau) : T(1);
  return c;
}

template <class T>
LIF<T>::LIF(const LIFParams& params) : params_(params) {
  validate(params_);
  this->coeffs_ = lif_coeffs<T>(params_);
}

template <class T>
std::string LIF<T>::describe() const {
  std::ostringstream s;
  s << "LIF(tau=" << params_.tau << ", v_threshold=" << params_.v_threshold
    << ", v_reset=" << (params_.hard_reset ? std::to_string(params_.v_reset) : std::string("None"))
    << ", decay_input=" << (params_.decay_input ? "true" : "false")
    << ", detach_reset=" << (params_.detach_reset ? "true" : "false")
    << ", surrogate=" << surrogate_name(params_.surrogate.kind)
    << "(alpha=" << params_.surrogate.alpha << "))";
  return s.str();
}

template NeuronCoeffs<float> lif_coeffs<float>(const LIFParams&);
template NeuronCoeffs<double> lif_coeffs<double>(const LIFParams&);
template class LIF<float>;
template class LIF<double>;

}  // namespace snn::learning
