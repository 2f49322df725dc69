// Leaky integrate-and-fire neuron, multi-step (SpikingJelly activation_based LIFNode):
//   H_t = V_{t-1} + (X_t - (V_{t-1} - v_reset)) / tau      (decay_input, the default)
//   H_t = V_{t-1} - (V_{t-1} - v_reset) / tau + X_t        (decay_input = false)
//   S_t = Θ(H_t - v_threshold);  V_t = H_t (1 - S_t) + v_reset S_t   (hard reset)
//                                V_t = H_t - v_threshold S_t, v_reset := 0 (soft reset,
//                                SpikingJelly v_reset=None);   V_{-1} = v_reset.
// Backward by BPTT with a surrogate dS/dH (see neuron_dynamics.h).
// Fang et al., "SpikingJelly", Science Advances 9 (2023) eadi1480.
#pragma once

#include "learning/neurons/neuron.h"

namespace snn::learning {

/// LIF parameters, SpikingJelly's defaults. Potentials are dimensionless.
struct LIFParams {
  double tau = 2.0;            ///< membrane time constant in steps, > 1 (SpikingJelly asserts it)
  double v_threshold = 1.0;    ///< firing threshold
  bool hard_reset = true;      ///< false: soft reset (subtract v_threshold; SpikingJelly v_reset=None)
  double v_reset = 0.0;        ///< reset potential (hard reset), < v_threshold
  bool decay_input = true;     ///< the input is divided by tau too
  bool detach_reset = false;   ///< do not propagate dS/dH through the reset
  Surrogate surrogate;         ///< default ATan, alpha 2
};

/// Throws InvalidParameter naming the bad value (tau <= 1, v_reset >= v_threshold, alpha <= 0).
void validate(const LIFParams& p);

template <class T>
class LIF : public SpikingNeuron<T> {
 public:
  explicit LIF(const LIFParams& params = {});
  const LIFParams& params() const { return params_; }
  std::string describe() const override;

 private:
  LIFParams params_;
};

/// The dynamics' constants of LIF parameters in precision T.
template <class T>
NeuronCoeffs<T> lif_coeffs(const LIFParams& p);

}  // namespace snn::learning
