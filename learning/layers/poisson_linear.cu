// Fused Poisson → Linear → IF/LIF: one pass per sample over all T steps (see poisson_linear.h).
#include "learning/layers/poisson_linear.h"

#include <thrust/for_each.h>
#include <thrust/iterator/counting_iterator.h>

#include "learning/encoding/encoders.h"
#include "sim/core/errors.h"
#include "sim/core/threads.h"

namespace snn::learning {
namespace {

constexpr int kLanes = 16;  // pixels whose Philox draws run side by side (SIMD lanes on the CPU)

/// Philox4x32-10 on kLanes counters at once (the same function as CounterRng::draw, written as
/// lane loops so that the compiler vectorises it). c0..c3 are the counters, replaced by the words.
SNN_HD inline void philox_lanes(std::uint32_t* c0, std::uint32_t* c1, std::uint32_t* c2,
                                std::uint32_t* c3, std::uint32_t k0, std::uint32_t k1) {
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    for (int l = 0; l < kLanes; ++l) {
      const std::uint64_t p0 = std::uint64_t(0xD2511F53u) * c0[l];
      const std::uint64_t p1 = std::uint64_t(0xCD9E8D57u) * c2[l];
      const std::uint32_t n0 = std::uint32_t(p1 >> 32) ^ c1[l] ^ k0;
      const std::uint32_t n2 = std::uint32_t(p0 >> 32) ^ c3[l] ^ k1;
      c1[l] = std::uint32_t(p1);
      c3[l] = std::uint32_t(p0);
      c0[l] = n0;
      c2[l] = n2;
    }
  }
}

SNN_HD inline int count_trailing_zeros(std::uint64_t w) {
#if SNN_DEVICE_CODE && defined(__CUDA_ARCH__)
  return __ffsll(static_cast<long long>(w)) - 1;
#else
  return __builtin_ctzll(w);
#endif
}

template <class T>
struct FusedArgs {
  NeuronCoeffs<T> c;
  PoissonStream ps;
  std::uint32_t key0, key1;  // the Philox key of ps.rng
  const T* images;
  const T* wt;     // [in, width]
  const T* bias;   // [out] or null
  int* drawn;      // [B, in]
  std::uint32_t* thr;  // [B, in]
  int* ones;       // [B, in]
  int* counts;     // [B, 2]
  std::uint64_t* bits;  // [B, in, words]
  T* scratch;      // [B, T + 2, width]
  T* y;            // [T, B, out]
  T* h;            // [T, B, out]
  T* v;            // [T, B, out]
  const T* grad_y;  // backward: [T, B, out]
  const T* grad_v;  // backward: [T, B, out] or null
  T* grad_wt;       // backward: [P, in, width]
  T* grad_b;        // backward: [P, width]
  int steps, batch, in, out, width, words, partitions;
};

/// Adds row[0, width) into dst (width = W when W > 0).
template <int W, class T>
SNN_HD inline void add_row(T* dst, const T* row, int width) {
  const int n = W > 0 ? W : width;
  for (int o = 0; o < n; ++o) dst[o] += row[o];
}

template <class T>
struct FusedForward {
  FusedArgs<T> a;

  SNN_HD void operator()(int b) const {
    if (a.width == 16)
      run<16>(b);
    else if (a.width == 32)
      run<32>(b);
    else
      run<0>(b);
  }

  template <int W>
  SNN_HD void run(int b) const {
    const int width = W > 0 ? W : a.width, steps = a.steps, in = a.in, out = a.out;
    const T* img = a.images + std::int64_t(b) * in;
    int* drawn = a.drawn + std::int64_t(b) * in;
    std::uint32_t* thr = a.thr + std::int64_t(b) * in;
    int* ones = a.ones + std::int64_t(b) * in;
    // 1. Pixels that need a draw (0 < p < 1) and pixels that always spike (p >= 1).
    int nd = 0, no = 0;
    for (int p = 0; p < in; ++p) {
      const T x = img[p];
      if (x >= T(1)) {
        ones[no++] = p;
      } else if (x > T(0)) {
        drawn[nd] = p;
        thr[nd] = poisson_threshold24(static_cast<float>(x));
        ++nd;
      }
    }
    a.counts[2 * b] = nd;
    a.counts[2 * b + 1] = no;
    // 2. The constant part of the input current: bias + rows of the always-spiking pixels.
    T* X = a.scratch + std::int64_t(b) * (steps + 2) * width;
    T* base = X + std::int64_t(steps) * width;
    for (int o = 0; o < width; ++o) base[o] = (a.bias != nullptr && o < out) ? a.bias[o] : T(0);
    for (int k = 0; k < no; ++k) add_row<W>(base, a.wt + std::int64_t(ones[k]) * width, width);
    for (int t = 0; t < steps; ++t)
      for (int o = 0; o < width; ++o) X[std::int64_t(t) * width + o] = base[o];
    // 3. Drawn pixels, kLanes at a time: Philox gives 4 steps of a pixel per call; the spikes are
    //    kept as T-bit masks and each spike adds the pixel's weight row to that step's current.
    const int words = a.words, quads = (steps + 3) / 4;
    std::uint64_t* bits = a.bits + std::int64_t(b) * in * words;
    for (int j0 = 0; j0 < nd; j0 += kLanes) {
      std::uint32_t pix[kLanes], th[kLanes];
      std::uint64_t acc[kLanes];
      for (int l = 0; l < kLanes; ++l) {
        const bool live = j0 + l < nd;
        pix[l] = live ? std::uint32_t(drawn[j0 + l]) : 0u;
        th[l] = live ? thr[j0 + l] : 0u;
        acc[l] = 0;
      }
      for (int q = 0; q < quads; ++q) {
        std::uint32_t c0[kLanes], c1[kLanes], c2[kLanes], c3[kLanes];
        for (int l = 0; l < kLanes; ++l) {
          c0[l] = pix[l];
          c1[l] = std::uint32_t(q);
          c2[l] = std::uint32_t(b);
          c3[l] = a.ps.batch_lo;
        }
        philox_lanes(c0, c1, c2, c3, a.key0, a.key1);
        const int shift = (4 * q) & 63;
        for (int l = 0; l < kLanes; ++l) {
          const std::uint64_t nib = std::uint64_t((c0[l] >> 8) < th[l]) |
                                    (std::uint64_t((c1[l] >> 8) < th[l]) << 1) |
                                    (std::uint64_t((c2[l] >> 8) < th[l]) << 2) |
                                    (std::uint64_t((c3[l] >> 8) < th[l]) << 3);
          acc[l] |= nib << shift;
        }
        if (shift == 60 || q == quads - 1) {  // a 64-step word is complete
          const int w = (4 * q) >> 6;
          const int rem = steps - 64 * w;
          const std::uint64_t mask = rem >= 64 ? ~std::uint64_t(0) : ((std::uint64_t(1) << rem) - 1);
          for (int l = 0; l < kLanes && j0 + l < nd; ++l) {
            const std::uint64_t word = acc[l] & mask;
            bits[std::int64_t(j0 + l) * words + w] = word;
            const T* row = a.wt + std::int64_t(pix[l]) * width;
            for (std::uint64_t m = word; m != 0; m &= m - 1) {
              const int t = 64 * w + count_trailing_zeros(m);
              add_row<W>(X + std::int64_t(t) * width, row, width);
            }
          }
          for (int l = 0; l < kLanes; ++l) acc[l] = 0;
        }
      }
    }
    // 4. The neuron over all steps; V lives in the last scratch row.
    T* V = base + width;
    for (int o = 0; o < out; ++o) V[o] = a.c.v_rest;
    for (int t = 0; t < steps; ++t) {
      const std::int64_t k = (std::int64_t(t) * a.batch + b) * out;
      const T* xt = X + std::int64_t(t) * width;
      for (int o = 0; o < out; ++o) {
        const T ht = a.c.charge(V[o], xt[o]);
        const T st = a.c.fire(ht);
        V[o] = a.c.reset(ht, st);
        a.h[k + o] = ht;
        a.y[k + o] = st;
        a.v[k + o] = V[o];
      }
    }
  }
};

template <class T>
struct FusedBackward {
  FusedArgs<T> a;

  SNN_HD void operator()(int part) const {
    if (a.width == 16)
      run<16>(part);
    else if (a.width == 32)
      run<32>(part);
    else
      run<0>(part);
  }

  template <int W>
  SNN_HD void run(int part) const {
    const int width = W > 0 ? W : a.width, steps = a.steps, in = a.in, out = a.out;
    const int b0 = int(std::int64_t(a.batch) * part / a.partitions);
    const int b1 = int(std::int64_t(a.batch) * (part + 1) / a.partitions);
    T* gw = a.grad_wt + std::int64_t(part) * in * width;
    T* gb = a.grad_b + std::int64_t(part) * width;
    for (int b = b0; b < b1; ++b) {
      T* dX = a.scratch + std::int64_t(b) * (steps + 2) * width;
      T* G = dX + std::int64_t(steps) * width;  // Σ_t dL/dX_t
      T* gh = G + width;                         // dL/dH_{t+1}
      for (int o = 0; o < width; ++o) {
        G[o] = T(0);
        gh[o] = T(0);
      }
      // 1. BPTT through the neuron: dL/dX_t for every step.
      for (int t = steps - 1; t >= 0; --t) {
        const std::int64_t k = (std::int64_t(t) * a.batch + b) * out;
        T* dxt = dX + std::int64_t(t) * width;
        for (int o = 0; o < out; ++o) {
          const T ht = a.h[k + o];
          const T g = a.c.backward_h(ht, a.c.fire(ht), a.grad_y[k + o],
                                     a.grad_v != nullptr ? a.grad_v[k + o] : T(0), gh[o]);
          gh[o] = g;
          dxt[o] = g * a.c.k_x;
          G[o] += dxt[o];
        }
        for (int o = out; o < width; ++o) dxt[o] = T(0);
      }
      // 2. dL/dWᵀ rows: always-spiking pixels get Σ_t dX_t; drawn pixels the steps they spiked.
      const int nd = a.counts[2 * b], no = a.counts[2 * b + 1];
      const int* ones = a.ones + std::int64_t(b) * in;
      const int* drawn = a.drawn + std::int64_t(b) * in;
      for (int k = 0; k < no; ++k) add_row<W>(gw + std::int64_t(ones[k]) * width, G, width);
      const std::uint64_t* bits = a.bits + std::int64_t(b) * in * a.words;
      for (int j = 0; j < nd; ++j) {
        T* row = gw + std::int64_t(drawn[j]) * width;
        for (int w = 0; w < a.words; ++w)
          for (std::uint64_t m = bits[std::int64_t(j) * a.words + w]; m != 0; m &= m - 1) {
            const int t = 64 * w + count_trailing_zeros(m);
            add_row<W>(row, dX + std::int64_t(t) * width, width);
          }
      }
      add_row<W>(gb, G, width);
    }
  }
};

/// Wᵀ padded: wt[i, o] = W[o, i] for o < out, 0 beyond.
template <class T>
struct Transpose {
  const T* w;
  T* wt;
  int in, out, width;
  SNN_HD void operator()(std::int64_t k) const {
    const int i = int(k / width), o = int(k % width);
    wt[k] = o < out ? w[std::int64_t(o) * in + i] : T(0);
  }
};

/// grad_W[o, i] += Σ_p grad_wt[p, i, o]; grad_wt is zeroed for the next batch.
template <class T>
struct ReduceWeight {
  T* gwt;
  T* gw;
  int in, out, width, partitions;
  SNN_HD void operator()(std::int64_t k) const {
    const int o = int(k / in), i = int(k % in);
    T acc = T(0);
    for (int p = 0; p < partitions; ++p) {
      T& g = gwt[(std::int64_t(p) * in + i) * width + o];
      acc += g;
      g = T(0);
    }
    gw[k] += acc;
  }
};

template <class T>
struct ReduceBias {
  T* gbp;
  T* gb;  // may be null: then only zero
  int out, width, partitions;
  SNN_HD void operator()(int o) const {
    T acc = T(0);
    for (int p = 0; p < partitions; ++p) {
      acc += gbp[std::int64_t(p) * width + o];
      gbp[std::int64_t(p) * width + o] = T(0);
    }
    if (gb != nullptr && o < out) gb[o] += acc;
  }
};

template <class T>
void grow(DeviceVector<T>& v, std::int64_t n) {
  if (static_cast<std::int64_t>(v.size()) < n) v.resize(n);
}

}  // namespace

template <class T>
PoissonLinearNeuron<T>::PoissonLinearNeuron(Linear<T>& linear, SpikingNeuron<T>& neuron,
                                            std::uint64_t seed)
    : linear_(linear), neuron_(neuron), seed_(seed) {}

template <class T>
void PoissonLinearNeuron<T>::forward(const Tensor<T>& images, int steps, std::uint64_t batch_key,
                                     Tensor<T>& spikes, bool record) {
  require(steps >= 1, "fused Poisson-Linear: steps must be >= 1, got " + std::to_string(steps));
  require(images.ndim() >= 1 && images.dim(0) >= 1, "fused Poisson-Linear: images must be [B, ...]");
  batch_ = int(images.dim(0));
  in_ = linear_.in_features();
  out_ = linear_.out_features();
  require(images.size() == std::int64_t(batch_) * in_,
          "fused Poisson-Linear: images " + shape_string(images.shape()) + " do not hold " +
              std::to_string(in_) + " values per sample");
  steps_ = steps;
  batch_key_ = batch_key;
  width_ = (out_ + 15) / 16 * 16;
  const int words = (steps + 63) / 64;

  grow(wt_, std::int64_t(in_) * width_);
  grow(drawn_, std::int64_t(batch_) * in_);
  grow(thr_, std::int64_t(batch_) * in_);
  grow(ones_, std::int64_t(batch_) * in_);
  grow(counts_, std::int64_t(batch_) * 2);
  grow(bits_, std::int64_t(batch_) * in_ * words);
  grow(current_, std::int64_t(batch_) * (steps + 2) * width_);
  spikes.resize({steps, batch_, out_});
  h_seq_.resize({steps, batch_, out_});
  v_seq_.resize({steps, batch_, out_});

  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(std::int64_t(in_) * width_),
                   Transpose<T>{linear_.weight().value.data(), raw(wt_), in_, out_, width_});
  FusedArgs<T> a{};
  a.c = neuron_.coeffs();
  a.ps = PoissonStream::make(seed_, batch_key);
  a.key0 = static_cast<std::uint32_t>(a.ps.rng.seed) ^ (a.ps.rng.stream * 0x9E3779B9u);
  a.key1 = static_cast<std::uint32_t>(a.ps.rng.seed >> 32) + a.ps.rng.stream;
  a.images = images.data();
  a.wt = raw(wt_);
  a.bias = linear_.has_bias() ? linear_.bias().value.data() : nullptr;
  a.drawn = raw(drawn_);
  a.thr = raw(thr_);
  a.ones = raw(ones_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = raw(current_);
  a.y = spikes.data();
  a.h = h_seq_.data();
  a.v = v_seq_.data();
  a.steps = steps;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = words;
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(batch_),
                   FusedForward<T>{a});
}

template <class T>
void PoissonLinearNeuron<T>::backward(const Tensor<T>& grad_spikes) {
  require(steps_ > 0 && grad_spikes.shape() == Shape{steps_, batch_, out_},
          "fused Poisson-Linear backward: gradient " + shape_string(grad_spikes.shape()) +
              " does not match the last forward [" + std::to_string(steps_) + ", " +
              std::to_string(batch_) + ", " + std::to_string(out_) + "]");
  const T* gv = nullptr;
  if (grad_v_seq_ != nullptr && grad_v_seq_->size() > 0) {
    require(grad_v_seq_->shape() == grad_spikes.shape(),
            "fused Poisson-Linear backward: dL/dV has shape " + shape_string(grad_v_seq_->shape()));
    gv = grad_v_seq_->data();
  }
  // One partition per CPU thread (private gradient rows, no atomics); one per sample on a GPU.
  const int partitions = device_is_cuda() ? batch_ : std::max(1, std::min(batch_, num_threads()));
  const std::int64_t gsize = std::int64_t(partitions) * in_ * width_;
  if (static_cast<std::int64_t>(grad_wt_.size()) < gsize) {
    grad_wt_.resize(gsize);
    thrust::fill(exec(), grad_wt_.begin(), grad_wt_.end(), T(0));
  }
  if (static_cast<std::int64_t>(grad_b_.size()) < std::int64_t(partitions) * width_) {
    grad_b_.resize(std::int64_t(partitions) * width_);
    thrust::fill(exec(), grad_b_.begin(), grad_b_.end(), T(0));
  }
  FusedArgs<T> a{};
  a.c = neuron_.coeffs();
  a.ones = raw(ones_);
  a.drawn = raw(drawn_);
  a.counts = raw(counts_);
  a.bits = raw(bits_);
  a.scratch = raw(current_);
  a.h = h_seq_.data();
  a.grad_y = grad_spikes.data();
  a.grad_v = gv;
  a.grad_wt = raw(grad_wt_);
  a.grad_b = raw(grad_b_);
  a.steps = steps_;
  a.batch = batch_;
  a.in = in_;
  a.out = out_;
  a.width = width_;
  a.words = (steps_ + 63) / 64;
  a.partitions = partitions;
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(partitions),
                   FusedBackward<T>{a});
  thrust::for_each(exec(), thrust::counting_iterator<std::int64_t>(0),
                   thrust::counting_iterator<std::int64_t>(std::int64_t(out_) * in_),
                   ReduceWeight<T>{raw(grad_wt_), linear_.weight().grad.data(), in_, out_, width_,
                                   partitions});
  thrust::for_each(exec(), thrust::counting_iterator<int>(0), thrust::counting_iterator<int>(width_),
                   ReduceBias<T>{raw(grad_b_), linear_.has_bias() ? linear_.bias().grad.data() : nullptr,
                                 out_, width_, partitions});
}

template class PoissonLinearNeuron<float>;
template class PoissonLinearNeuron<double>;

}  // namespace snn::learning
