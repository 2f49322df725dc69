// The neuron models the simulator knows. Adding a model: its file, one line here, its test.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>

#include "sim/events/receptors.h"
#include "sim/neurons/aeif_cond_exp.h"
#include "sim/neurons/hh_psc_alpha.h"
#include "sim/neurons/iaf_cond_alpha.h"
#include "sim/neurons/iaf_cond_exp.h"
#include "sim/neurons/iaf_psc_alpha.h"
#include "sim/neurons/if_delta.h"
#include "sim/neurons/izhikevich.h"
#include "sim/neurons/lif_delta.h"
#include "sim/neurons/lif_exp.h"
#include "sim/neurons/nir_cuba_li.h"
#include "sim/neurons/nir_cuba_lif.h"
#include "sim/neurons/nir_i.h"
#include "sim/neurons/nir_if.h"
#include "sim/neurons/nir_li.h"
#include "sim/neurons/nir_lif.h"

namespace snn::sim {

template <class... Models>
struct ModelList {
  static constexpr int size = sizeof...(Models);
  using Params = std::variant<typename Models::Params...>;
};

// clang-format off
using NeuronModels = ModelList<LifDelta, LifExp, IfDelta,  // the registry
                               IafPscAlpha,
                               IafCondExp,
                               IafCondAlpha,
                               AeifCondExp,
                               Izhikevich,
                               HhPscAlpha,
                               NirLif, NirIf, NirLi, NirI, NirCubaLif, NirCubaLi>;
// clang-format on

/// Parameters of any registered model; the alternative's index is the model's index.
using NeuronParams = NeuronModels::Params;

namespace detail {
template <int I, class M, class... Ms>
struct ModelAt : ModelAt<I - 1, Ms...> {};
template <class M, class... Ms>
struct ModelAt<0, M, Ms...> {
  using type = M;
};
template <class List>
struct Unpack;
template <class... Ms>
struct Unpack<ModelList<Ms...>> {
  template <int I>
  using at = typename ModelAt<I, Ms...>::type;
  static const char* name(int i) {
    const char* names[] = {Ms::kName...};
    return names[i];
  }
  static bool two_receptors(int i) {
    const bool two[] = {HasTwoReceptors<Ms>::value...};
    return two[i];
  }
};
}  // namespace detail

/// The I-th registered model.
template <int I>
using ModelAt = typename detail::Unpack<NeuronModels>::template at<I>;

/// The registered model's name ("lif_delta"), by index.
inline const char* model_name(int index) {
  return detail::Unpack<NeuronModels>::name(index);
}

/// Whether the registered model keeps excitatory and inhibitory input apart (receptors.h).
inline bool model_has_two_receptors(int index) {
  return detail::Unpack<NeuronModels>::two_receptors(index);
}

/// Index of the model called `name`, or -1.
inline int model_index(const std::string& name) {
  for (int i = 0; i < NeuronModels::size; ++i)
    if (name == model_name(i)) return i;
  return -1;
}

/// Default parameters of the model at `index`.
template <int I = 0>
NeuronParams default_params(int index) {
  if constexpr (I < NeuronModels::size) {
    if (index == I) return NeuronParams(std::in_place_index<I>);
    return default_params<I + 1>(index);
  } else {
    throw InvalidParameter("no neuron model with index " + std::to_string(index));
  }
}

/// One registered model's kernel, trivially copyable, for device functors: an index and a union.
template <class... Ks>
union KernelUnion;
template <>
union KernelUnion<> {};
template <class K, class... Ks>
union KernelUnion<K, Ks...> {
  K head;
  KernelUnion<Ks...> tail;
};
template <class List>
struct KernelUnionOf;
template <class... Ms>
struct KernelUnionOf<ModelList<Ms...>> {
  using type = KernelUnion<typename Ms::Kernel...>;
};

struct AnyKernel {
  int model;  ///< index in NeuronModels
  typename KernelUnionOf<NeuronModels>::type u;
};

namespace detail {
template <int I, class U>
SNN_HD auto& kernel_at(U& u) {
  if constexpr (I == 0)
    return u.head;
  else
    return kernel_at<I - 1>(u.tail);
}
template <int I, class F>
SNN_HD void visit_kernel(const AnyKernel& k, F& f) {
  if constexpr (I < NeuronModels::size) {
    if (k.model == I) {
      f(kernel_at<I>(k.u));
      return;
    }
    visit_kernel<I + 1>(k, f);
  }
}
template <int I, class U, class K>
void set_kernel(U& u, const K& kernel) {
  if constexpr (std::is_same_v<std::decay_t<decltype(kernel_at<I>(u))>, K>)
    kernel_at<I>(u) = kernel;
  else
    set_kernel<I + 1>(u, kernel);
}
}  // namespace detail

/// Calls f(kernel) with the model's own kernel type.
template <class F>
SNN_HD void visit_kernel(const AnyKernel& k, F& f) {
  detail::visit_kernel<0>(k, f);
}

/// Wraps model I's kernel.
template <int I>
AnyKernel make_any_kernel(const typename ModelAt<I>::Kernel& kernel) {
  AnyKernel a;
  a.model = I;
  detail::set_kernel<0>(a.u, kernel);
  return a;
}

}  // namespace snn::sim
