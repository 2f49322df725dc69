// Excitatory and inhibitory input kept apart for the models that have a receptor of each kind
// (NEST's iaf_psc_alpha, iaf_cond_*, aeif_cond_exp, hh_psc_alpha: a weight w > 0 goes to the
// excitatory receptor, w < 0 to the inhibitory one, each with its own time constant or reversal
// potential). Summing both into one number per neuron and step would let an excitatory and an
// inhibitory spike arriving in the same step cancel, which NEST never does.
//
// The spike queue routes an event by a bit of its target id: kInhibitoryBit set means "the
// inhibitory receptor". Deliveries set it only for targets whose population has two receptors
// (ProjectionView::inh_bit, 0 for every other population), so single-receptor models see exactly
// the sums they always did. Such a population's input of a step is a pair (ex, in).
#pragma once

#include <cstdint>
#include <type_traits>

#include "sim/core/config.h"

namespace snn::sim {

/// Set in a queued target id: the event is for the neuron's inhibitory receptor. Local neuron ids
/// stay below 2^31 (populations are limited to that size).
constexpr std::uint32_t kInhibitoryBit = 0x80000000u;

/// The key an event of weight w for local neuron j is queued under; inh_bit is kInhibitoryBit for
/// a two-receptor target population, else 0.
SNN_HD inline std::uint32_t receptor_key(std::uint32_t j, float w, std::uint32_t inh_bit) {
  return w < 0.0f ? (j | inh_bit) : j;
}

/// One neuron's summed input of one step, per receptor (in: the sum of negative weights, <= 0).
/// Single-receptor populations receive everything in ex.
struct SynInput {
  float ex = 0.0f, in = 0.0f;
};

/// Whether a kernel type takes its input per receptor (K::kTwoReceptors, false when absent).
template <class K, class = void>
struct HasTwoReceptors : std::false_type {};
template <class K>
struct HasTwoReceptors<K, std::void_t<decltype(K::kTwoReceptors)>>
    : std::integral_constant<bool, K::kTwoReceptors> {};

/// Steps neuron j of kernel k at step t with input x: per receptor where the model has two.
template <class K>
SNN_HD auto step_with(const K& k, std::uint32_t j, int t, SynInput x) {
  if constexpr (HasTwoReceptors<K>::value)
    return k.step(j, t, x.ex, x.in);
  else
    return k.step(j, t, x.ex);  // x.in is 0: nothing is routed to a receptor the model lacks
}

}  // namespace snn::sim
