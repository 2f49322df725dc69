// NeuronGroup: the state of one population behind a type-erased interface, so that the network
// holds populations of any registered model (registry.h) in one list.
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>
#include <vector>

#include "sim/core/errors.h"
#include "sim/neurons/registry.h"

namespace snn::sim::engine {

/// Type-erased state of one neuron population.
class NeuronGroup {
 public:
  virtual ~NeuronGroup() = default;
  virtual AnyKernel kernel() = 0;
  virtual bool always_active(std::size_t j) const = 0;
  virtual void set_voltage(const std::vector<float>& v) = 0;
  virtual void set_current(const std::vector<float>& i) = 0;
  /// True when neuron j must be evaluated at the first step without input (it starts away from
  /// rest); models without the notion are never initially active.
  virtual bool initially_active(std::size_t j) const = 0;
};

namespace detail {
template <class S, class = void>
struct HasInitiallyActive : std::false_type {};
template <class S>
struct HasInitiallyActive<S, std::void_t<decltype(std::declval<const S&>().initially_active(0))>>
    : std::true_type {};
}  // namespace detail

template <int I>
class NeuronGroupOf : public NeuronGroup {
 public:
  using Model = ModelAt<I>;
  NeuronGroupOf(const typename Model::Params& p, double dt, std::size_t n) : state_(p, dt, n) {}
  AnyKernel kernel() override { return make_any_kernel<I>(state_.kernel()); }
  bool always_active(std::size_t j) const override { return state_.always_active(j); }
  void set_voltage(const std::vector<float>& v) override { state_.set_voltage(v); }
  void set_current(const std::vector<float>& i) override { state_.set_current(i); }
  bool initially_active(std::size_t j) const override {
    if constexpr (detail::HasInitiallyActive<typename Model::State>::value)
      return state_.initially_active(j);
    else
      return false;
  }

 private:
  typename Model::State state_;
};

template <int I = 0>
std::unique_ptr<NeuronGroup> make_group(const NeuronParams& p, double dt, std::size_t n) {
  if constexpr (I < NeuronModels::size) {
    if (p.index() == I) return std::make_unique<NeuronGroupOf<I>>(std::get<I>(p), dt, n);
    return make_group<I + 1>(p, dt, n);
  } else {
    throw InvalidParameter("unknown neuron model");
  }
}

}  // namespace snn::sim::engine
