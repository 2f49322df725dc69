// The max over windows that tile a plane (stride = kernel, no padding), as one SNN_HD function:
// MaxPool2d's own kernels and the spiking neuron that folds a pool into its forward
// (SpikingNeuron::forward_repeated_pooled) pool a plane with it, so both give the same maxima and
// the same argmax (row by row, strict '>': ties keep the first element).
#pragma once

#include <cstdint>

#include "sim/core/config.h"

namespace snn::learning {

/// plane [height, width] → out [out_h, out_w] (out_h = height / kernel, likewise out_w) and, per
/// output, the offset kh·kernel + kw of its max in its window (kernel <= 16).
template <class T>
SNN_HD inline void max_pool_tiles(const T* plane, int width, int kernel, int out_h, int out_w,
                                  T* out, std::uint8_t* arg) {
  if (kernel == 2) {  // the common window, as straight-line selects the compiler vectorises
    for (int oh = 0; oh < out_h; ++oh) {
      const T* r0 = plane + 2 * oh * width;
      const T* r1 = r0 + width;
      T* o = out + oh * out_w;
      std::uint8_t* a = arg + oh * out_w;
      for (int ow = 0; ow < out_w; ++ow) {
        const T v0 = r0[2 * ow], v1 = r0[2 * ow + 1], v2 = r1[2 * ow], v3 = r1[2 * ow + 1];
        std::uint8_t best = v1 > v0 ? 1 : 0;
        T m = v1 > v0 ? v1 : v0;
        best = v2 > m ? 2 : best;
        m = v2 > m ? v2 : m;
        best = v3 > m ? 3 : best;
        m = v3 > m ? v3 : m;
        o[ow] = m;
        a[ow] = best;
      }
    }
    return;
  }
  for (int oh = 0; oh < out_h; ++oh)
    for (int ow = 0; ow < out_w; ++ow) {
      const int p = oh * kernel * width + ow * kernel;
      int best = 0;
      T best_v = plane[p];
      // selects, not branches: on spikes (random 0s and 1s) a branch per comparison mispredicts
      for (int kh = 0; kh < kernel; ++kh)
        for (int kw = (kh == 0 ? 1 : 0); kw < kernel; ++kw) {
          const T v = plane[p + kh * width + kw];
          best = v > best_v ? kh * kernel + kw : best;
          best_v = v > best_v ? v : best_v;
        }
      out[oh * out_w + ow] = best_v;
      arg[oh * out_w + ow] = static_cast<std::uint8_t>(best);
    }
}

}  // namespace snn::learning
