// Integrate-and-fire neuron, multi-step (SpikingJelly IFNode): H_t = V_{t-1} + X_t,
// S_t = Θ(H_t - v_threshold), hard reset V_t = H_t (1 - S_t) + v_reset S_t or soft reset
// V_t = H_t - v_threshold S_t; V_{-1} = v_reset (0 for soft). Backward by BPTT (neuron_dynamics.h).
#pragma once

#include "learning/neurons/neuron.h"

namespace snn::learning {

/// IF parameters, SpikingJelly's defaults. Potentials are dimensionless.
struct IFParams {
  double v_threshold = 1.0;   ///< firing threshold
  bool hard_reset = true;     ///< false: soft reset (subtract v_threshold)
  double v_reset = 0.0;       ///< reset potential (hard reset), < v_threshold
  bool detach_reset = false;  ///< do not propagate dS/dH through the reset
  Surrogate surrogate;        ///< default ATan, alpha 2
};

/// Throws InvalidParameter naming the bad value.
void validate(const IFParams& p);

template <class T>
class IF : public SpikingNeuron<T> {
 public:
  explicit IF(const IFParams& params = {});
  const IFParams& params() const { return params_; }
  std::string describe() const override;

 private:
  IFParams params_;
};

/// The dynamics' constants of IF parameters in precision T.
template <class T>
NeuronCoeffs<T> if_coeffs(const IFParams& p);

}  // namespace snn::learning
