// DnnlConv on oneDNN 2.x: direct convolutions with the layouts oneDNN picks (format `any`; on
// AVX2 blocked nChw8c activations and OIhw8i8o-like weights), reordered from and to our plain
// NCHW/OIHW buffers. Primitives, reorders and their argument maps are built once per geometry;
// a call only points the cached memory objects at the caller's buffers and executes.
#include "learning/math/conv_dnnl.h"

#include <cstdlib>
#include <cstring>
#include <dnnl.hpp>
#include <new>
#include <unordered_map>
#include <vector>

namespace snn::learning {

namespace {

using dnnl::memory;
using tag = dnnl::memory::format_tag;
using Args = std::unordered_map<int, memory>;

dnnl::engine& cpu_engine() {
  static dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

dnnl::stream& cpu_stream() {
  static dnnl::stream s(cpu_engine());
  return s;
}

/// Grow-only 64-byte-aligned buffers shared by every layer on this thread: the blocked copies of
/// activations and the primitives' scratchpads. A layer's call uses them only while it runs, so one
/// set serves the whole network; they reallocate only when a larger geometry first appears.
class Arena {
 public:
  static constexpr int kSlots = 4;
  ~Arena() {
    for (auto& s : slots_) std::free(s.ptr);
  }
  void* get(int slot, std::size_t bytes) {
    Slot& s = slots_[slot];
    if (bytes > s.bytes) {
      std::free(s.ptr);
      const std::size_t rounded = (bytes + 63) / 64 * 64;
      s.ptr = std::aligned_alloc(64, rounded);
      if (!s.ptr) throw std::bad_alloc();
      s.bytes = rounded;
    }
    return s.ptr;
  }

 private:
  struct Slot {
    void* ptr = nullptr;
    std::size_t bytes = 0;
  };
  Slot slots_[kSlots];
};

Arena& arena() {
  thread_local Arena a;
  return a;
}

enum Slot : int { kOwned = -1, kSlotA = 0, kSlotB = 1, kScratch = 2, kSlotC = 3 };

/// A primitive's operand: the caller's plain buffer (`user`) and the layout the primitive chose
/// (`inner`, the same object when the layouts agree). An input is reordered user → inner before
/// the primitive, an output inner → user after it.
struct Operand {
  memory user, inner;
  bool reordered = false;
  int slot = kOwned;
  dnnl::reorder prim;
  Args args;

  void init(const memory::desc& plain, const memory::desc& chosen, bool input, int arena_slot) {
    user = memory(plain, cpu_engine(), DNNL_MEMORY_NONE);
    reordered = !(plain == chosen);
    slot = arena_slot;
    if (!reordered) {
      inner = user;
      return;
    }
    inner = slot == kOwned ? memory(chosen, cpu_engine())
                           : memory(chosen, cpu_engine(), DNNL_MEMORY_NONE);
    prim = input ? dnnl::reorder(user, inner) : dnnl::reorder(inner, user);
    args = input ? Args{{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, inner}}
                 : Args{{DNNL_ARG_FROM, inner}, {DNNL_ARG_TO, user}};
  }
  /// Points the operand at the caller's buffer (and its inner copy at this thread's arena).
  void bind(const void* ptr) {
    user.set_data_handle(const_cast<void*>(ptr));
    if (reordered && slot != kOwned)
      inner.set_data_handle(arena().get(slot, inner.get_desc().get_size()));
  }
  void pull() {
    if (reordered) prim.execute(cpu_stream(), args);
  }
  void push() { pull(); }  // the reorder's direction was fixed at init
};

memory::dims dims4(int a, int b, int c, int d) {
  return {a, b, c, d};
}

}  // namespace

struct DnnlConv::Impl {
  bool ready = false;
  ConvGeometry g{};
  // forward
  dnnl::convolution_forward fwd;
  Operand f_src, f_w, f_dst;
  memory f_bias, f_scratch;
  Args f_args;
  // backward-weights
  dnnl::convolution_backward_weights bww;
  Operand w_src, w_dst, w_dw;
  memory w_db, w_scratch;
  Args w_args;
  std::vector<float> dw_plain, db_plain;
  // backward-data
  dnnl::convolution_backward_data bwd;
  Operand d_w, d_dst, d_dx;
  memory d_scratch;
  Args d_args;
  bool d_dst_shared = false;  // backward-data takes dL/dy in the layout backward-weights chose

  void build(const ConvGeometry& geo) {
    g = geo;
    const auto f32 = memory::data_type::f32;
    const memory::dims src_d = dims4(g.frames, g.in_channels, g.height, g.width);
    const memory::dims dst_d = dims4(g.frames, g.out_channels, g.out_h, g.out_w);
    const memory::dims w_d = dims4(g.out_channels, g.in_channels, g.kernel, g.kernel);
    const memory::dims b_d = {g.out_channels};
    const memory::dims strides = {g.stride, g.stride};
    const memory::dims pad_l = {g.padding, g.padding};
    // right padding so that (H + pad_l + pad_r − k)/s + 1 is exactly the floor-rounded out_h
    const memory::dims pad_r = {(g.out_h - 1) * g.stride + g.kernel - g.height - g.padding,
                                (g.out_w - 1) * g.stride + g.kernel - g.width - g.padding};
    const memory::desc src_plain(src_d, f32, tag::nchw), src_any(src_d, f32, tag::any);
    const memory::desc dst_plain(dst_d, f32, tag::nchw), dst_any(dst_d, f32, tag::any);
    const memory::desc w_plain(w_d, f32, tag::oihw), w_any(w_d, f32, tag::any);
    const memory::desc b_plain(b_d, f32, tag::a);
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    const auto algo = dnnl::algorithm::convolution_direct;
    auto& eng = cpu_engine();

    auto fd =
        g.bias ? dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src_any,
                                                 w_any, b_plain, dst_any, strides, pad_l, pad_r)
               : dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, algo, src_any,
                                                 w_any, dst_any, strides, pad_l, pad_r);
    dnnl::convolution_forward::primitive_desc fpd(fd, attr, eng);
    fwd = dnnl::convolution_forward(fpd);
    f_src.init(src_plain, fpd.src_desc(), true, kSlotA);
    f_w.init(w_plain, fpd.weights_desc(), true, kOwned);
    f_dst.init(dst_plain, fpd.dst_desc(), false, kSlotB);
    f_scratch = memory(fpd.scratchpad_desc(), eng, DNNL_MEMORY_NONE);
    f_args = {{DNNL_ARG_SRC, f_src.inner},
              {DNNL_ARG_WEIGHTS, f_w.inner},
              {DNNL_ARG_DST, f_dst.inner},
              {DNNL_ARG_SCRATCHPAD, f_scratch}};
    if (g.bias) {
      f_bias = memory(b_plain, eng, DNNL_MEMORY_NONE);
      f_args[DNNL_ARG_BIAS] = f_bias;
    }

    auto wd = g.bias ? dnnl::convolution_backward_weights::desc(algo, src_any, w_any, b_plain,
                                                                dst_any, strides, pad_l, pad_r)
                     : dnnl::convolution_backward_weights::desc(algo, src_any, w_any, dst_any,
                                                                strides, pad_l, pad_r);
    dnnl::convolution_backward_weights::primitive_desc wpd(wd, attr, eng, fpd);
    bww = dnnl::convolution_backward_weights(wpd);
    w_dst.init(dst_plain, wpd.diff_dst_desc(), true, kSlotA);
    w_src.init(src_plain, wpd.src_desc(), true, kSlotB);
    dw_plain.assign(static_cast<std::size_t>(g.out_channels) * g.in_channels * g.kernel * g.kernel,
                    0.f);
    w_dw.init(w_plain, wpd.diff_weights_desc(), false, kOwned);
    w_dw.bind(dw_plain.data());
    w_scratch = memory(wpd.scratchpad_desc(), eng, DNNL_MEMORY_NONE);
    w_args = {{DNNL_ARG_SRC, w_src.inner},
              {DNNL_ARG_DIFF_DST, w_dst.inner},
              {DNNL_ARG_DIFF_WEIGHTS, w_dw.inner},
              {DNNL_ARG_SCRATCHPAD, w_scratch}};
    if (g.bias) {
      db_plain.assign(static_cast<std::size_t>(g.out_channels), 0.f);
      w_db = memory(b_plain, eng, db_plain.data());
      w_args[DNNL_ARG_DIFF_BIAS] = w_db;
    }

    dnnl::convolution_backward_data::desc dd(algo, src_any, w_any, dst_any, strides, pad_l, pad_r);
    dnnl::convolution_backward_data::primitive_desc dpd(dd, attr, eng, fpd);
    bwd = dnnl::convolution_backward_data(dpd);
    d_w.init(w_plain, dpd.weights_desc(), true, kOwned);
    d_dst_shared = dpd.diff_dst_desc() == wpd.diff_dst_desc();
    if (!d_dst_shared) d_dst.init(dst_plain, dpd.diff_dst_desc(), true, kSlotC);
    d_dx.init(src_plain, dpd.diff_src_desc(), false, kSlotB);  // after backward-weights used B
    d_scratch = memory(dpd.scratchpad_desc(), eng, DNNL_MEMORY_NONE);
    d_args = {{DNNL_ARG_DIFF_DST, d_dst_shared ? w_dst.inner : d_dst.inner},
              {DNNL_ARG_WEIGHTS, d_w.inner},
              {DNNL_ARG_DIFF_SRC, d_dx.inner},
              {DNNL_ARG_SCRATCHPAD, d_scratch}};
    ready = true;
  }

  void ensure(const ConvGeometry& geo) {
    if (!ready || !(g == geo)) build(geo);
  }
};

namespace {
void bind_scratch(memory& m) {
  const std::size_t bytes = m.get_desc().get_size();
  m.set_data_handle(arena().get(kScratch, bytes ? bytes : 64));
}
}  // namespace

bool DnnlConv::available() {
  return true;
}

DnnlConv::DnnlConv() : impl_(std::make_unique<Impl>()) {}
DnnlConv::~DnnlConv() = default;

void DnnlConv::forward(const ConvGeometry& g, const float* x, const float* w, const float* bias,
                       float* y) {
  Impl& s = *impl_;
  s.ensure(g);
  s.f_src.bind(x);
  s.f_w.bind(w);
  s.f_dst.bind(y);
  if (g.bias) s.f_bias.set_data_handle(const_cast<float*>(bias));
  bind_scratch(s.f_scratch);
  s.f_src.pull();
  s.f_w.pull();
  s.fwd.execute(cpu_stream(), s.f_args);
  s.f_dst.push();
  cpu_stream().wait();
}

void DnnlConv::backward(const ConvGeometry& g, const float* x, const float* w, const float* grad_y,
                        float* grad_w, float* grad_bias, float* grad_x) {
  Impl& s = *impl_;
  s.ensure(g);
  auto& strm = cpu_stream();
  s.w_dst.bind(grad_y);
  s.w_src.bind(x);
  bind_scratch(s.w_scratch);
  s.w_dst.pull();
  s.w_src.pull();
  s.bww.execute(strm, s.w_args);
  s.w_dw.push();
  strm.wait();
  // oneDNN overwrites its gradients; ours accumulate (backward adds, zeroing is explicit)
  for (std::size_t i = 0; i < s.dw_plain.size(); ++i) grad_w[i] += s.dw_plain[i];
  if (g.bias)
    for (std::size_t i = 0; i < s.db_plain.size(); ++i) grad_bias[i] += s.db_plain[i];
  if (!grad_x) return;
  s.d_w.bind(w);
  if (!s.d_dst_shared) s.d_dst.bind(grad_y);
  s.d_dx.bind(grad_x);
  bind_scratch(s.d_scratch);
  s.d_w.pull();
  if (!s.d_dst_shared) s.d_dst.pull();
  s.bwd.execute(strm, s.d_args);
  s.d_dx.push();
  strm.wait();
}

}  // namespace snn::learning
