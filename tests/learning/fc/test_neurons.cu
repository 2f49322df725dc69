// IF/LIF layers: forward against hand-computed trajectories; BPTT against PyTorch autograd
// numbers (reference/lif_bptt_reference.py) and against central finite differences in double
// precision of the smooth model in which Θ is replaced by the surrogate's primitive, for every
// neuron, reset, detach_reset, decay_input and surrogate combination.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <vector>

#include "learning/neurons/if_neuron.h"
#include "learning/neurons/lif.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

using Vec = std::vector<double>;

/// Runs `layer` forward on X [T, 1, N]; returns spikes, fills V.
Vec run_forward(SpikingNeuron<double>& layer, const Vec& x, int steps, Vec* v = nullptr) {
  Tensor<double> tx, ty;
  tx.from_host({steps, 1, std::int64_t(x.size()) / steps}, x);
  layer.forward(tx, ty);
  if (v) *v = layer.v_seq().to_host();
  return ty.to_host();
}

/// dL/dX for L = Σ ws·S + Σ wv·V through `layer` (forward then backward).
Vec run_backward(SpikingNeuron<double>& layer, const Vec& x, int steps, const Vec& ws, const Vec& wv) {
  const std::int64_t n = std::int64_t(x.size()) / steps;
  Tensor<double> tx, ty, gy, gv, gx;
  tx.from_host({steps, 1, n}, x);
  layer.forward(tx, ty);
  gy.from_host({steps, 1, n}, ws);
  gv.from_host({steps, 1, n}, wv);
  layer.set_grad_v_seq(&gv);
  layer.backward(tx, ty, gy, gx);
  layer.set_grad_v_seq(nullptr);
  return gx.to_host();
}

TEST(LIF, HardResetTrajectoryByHand) {
  // tau 2, threshold 1, v_reset 0, constant input 1.5: H1 = 0.75; H2 = 0.75 + (1.5-0.75)/2 = 1.125
  // fires, V = 0; then the same again.
  LIF<double> lif;
  Vec v;
  Vec s = run_forward(lif, {1.5, 1.5, 1.5, 1.5, 0.0}, 5, &v);
  EXPECT_EQ(s, (Vec{0, 1, 0, 1, 0}));
  EXPECT_EQ(v, (Vec{0.75, 0, 0.75, 0, 0}));
  EXPECT_EQ(lif.h_seq().to_host(), (Vec{0.75, 1.125, 0.75, 1.125, 0}));
}

TEST(LIF, SoftResetTrajectoryByHand) {
  // V = H - 1 after a spike: H2 = 1.125 → V 0.125; H3 = 0.125 + (1.5-0.125)/2 = 0.8125;
  // H4 = 0.8125 + (1.5-0.8125)/2 = 1.15625 → V 0.15625.
  LIFParams p;
  p.hard_reset = false;
  LIF<double> lif(p);
  Vec v;
  Vec s = run_forward(lif, {1.5, 1.5, 1.5, 1.5}, 4, &v);
  EXPECT_EQ(s, (Vec{0, 1, 0, 1}));
  EXPECT_EQ(v, (Vec{0.75, 0.125, 0.8125, 0.15625}));
}

TEST(LIF, NoDecayInputNonzeroResetAndThresholdByHand) {
  // decay_input false, tau 4, v_reset -0.5 (V0 = -0.5), threshold 0.5:
  // H = V - (V + 0.5)/4 + X with X = 0.4: H1 = -0.5 + 0.4 = -0.1; H2 = -0.1 - 0.1 + 0.4 = 0.2;
  // H3 = 0.2 - 0.175 + 0.4 = 0.425; H4 = 0.425 - 0.23125 + 0.4 = 0.59375 fires → V -0.5.
  LIFParams p;
  p.decay_input = false;
  p.tau = 4.0;
  p.v_reset = -0.5;
  p.v_threshold = 0.5;
  LIF<double> lif(p);
  Vec v;
  Vec s = run_forward(lif, {0.4, 0.4, 0.4, 0.4, 0.4}, 5, &v);
  EXPECT_EQ(s, (Vec{0, 0, 0, 1, 0}));
  const Vec expect{-0.1, 0.2, 0.425, -0.5, -0.1};
  for (int i = 0; i < 5; ++i) EXPECT_NEAR(v[i], expect[i], 1e-15) << i;
}

TEST(IF, TrajectoryByHandAndThresholdIsInclusive) {
  IF<double> hard;
  Vec v;
  // X = 0.5: H 0.5, 1.0 (fires: Θ(0) = 1), 0.5, 1.0
  EXPECT_EQ(run_forward(hard, {0.5, 0.5, 0.5, 0.5}, 4, &v), (Vec{0, 1, 0, 1}));
  EXPECT_EQ(v, (Vec{0.5, 0, 0.5, 0}));
  IFParams p;
  p.hard_reset = false;
  IF<double> soft(p);
  // X = 0.75: H 0.75, 1.5 → V 0.5, H 1.25 → V 0.25, H 1.0 → V 0
  EXPECT_EQ(run_forward(soft, {0.75, 0.75, 0.75, 0.75}, 4, &v), (Vec{0, 1, 1, 1}));
  EXPECT_EQ(v, (Vec{0.75, 0.5, 0.25, 0.0}));
}

TEST(LIF, BatchAndNeuronsAreIndependentAndStateRestartsEachForward) {
  LIF<float> lif;
  Tensor<float> x, y;
  // [T=3, B=2, N=2]; each (b, n) column gets its own constant input
  x.from_host({3, 2, 2}, {1.5f, 0.5f, 3.f, 0.f, 1.5f, 0.5f, 3.f, 0.f, 1.5f, 0.5f, 3.f, 0.f});
  lif.forward(x, y);
  EXPECT_EQ(y.to_host(), (std::vector<float>{0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0}));
  lif.forward(x, y);  // V starts again at v_reset
  EXPECT_EQ(y.to_host(), (std::vector<float>{0, 0, 1, 0, 1, 0, 1, 0, 0, 0, 1, 0}));
}

// The CPU layers step 64 neighbouring neurons per index: 197 neurons (three full chunks and a
// tail of 5) together must give each neuron exactly what it gives alone (S, H, V and dL/dX).
TEST(LIF, ChunksOfNeuronsEqualNeuronsRunAlone) {
  const int steps = 6, n = 197;
  Vec x(steps * n), ws(steps * n), wv(steps * n);
  for (int i = 0; i < steps * n; ++i) {
    x[i] = 2.0 + 1.5 * std::sin(0.37 * i + 0.1);  // many steps fire
    ws[i] = std::cos(0.11 * i);
    wv[i] = 0.5 * std::sin(0.23 * i);
  }
  LIF<double> all;
  Vec v_all;
  const Vec s_all = run_forward(all, x, steps, &v_all);
  const Vec h_all = all.h_seq().to_host();
  const Vec gx_all = run_backward(all, x, steps, ws, wv);
  int spikes = 0;
  for (int i = 0; i < n; ++i) {
    Vec xi(steps), wsi(steps), wvi(steps), vi;
    for (int t = 0; t < steps; ++t) {
      xi[t] = x[t * n + i];
      wsi[t] = ws[t * n + i];
      wvi[t] = wv[t * n + i];
    }
    LIF<double> one;
    const Vec si = run_forward(one, xi, steps, &vi);
    const Vec hi = one.h_seq().to_host();
    const Vec gxi = run_backward(one, xi, steps, wsi, wvi);
    for (int t = 0; t < steps; ++t) {
      const int k = t * n + i;
      ASSERT_EQ(s_all[k], si[t]) << "neuron " << i << " step " << t;
      ASSERT_EQ(h_all[k], hi[t]) << "neuron " << i << " step " << t;
      ASSERT_EQ(v_all[k], vi[t]) << "neuron " << i << " step " << t;
      ASSERT_EQ(gx_all[k], gxi[t]) << "neuron " << i << " step " << t;
      spikes += si[t] > 0;
    }
  }
  EXPECT_GT(spikes, steps * n / 6);  // the reset path is exercised
}

TEST(Neurons, InvalidParametersThrow) {
  LIFParams p;
  p.tau = 1.0;
  EXPECT_THROW(LIF<float>{p}, InvalidParameter);
  p = {};
  p.v_reset = 1.0;
  EXPECT_THROW(LIF<float>{p}, InvalidParameter);
  p = {};
  p.surrogate.alpha = 0;
  EXPECT_THROW(LIF<float>{p}, InvalidParameter);
  IFParams q;
  q.v_reset = 2.0;
  EXPECT_THROW(IF<double>{q}, InvalidParameter);
}

// --------------------------------------------------------------- PyTorch autograd reference

constexpr int kT = 6, kN = 4;
Vec ref_input() {
  Vec x(kT * kN);
  for (int t = 0; t < kT; ++t)
    for (int n = 0; n < kN; ++n) x[t * kN + n] = 0.3 * ((t * 7 + n * 3) % 11) - 0.4 + 0.05 * n;
  return x;
}
Vec ref_ws() {
  Vec w(kT * kN);
  for (int i = 0; i < kT * kN; ++i) w[i] = std::sin(1.0 + i);
  return w;
}
Vec ref_wv() {
  Vec w(kT * kN);
  for (int i = 0; i < kT * kN; ++i) w[i] = 0.5 * std::cos(2.0 + i);
  return w;
}

void expect_close(const Vec& got, const Vec& want, double tol, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (std::size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " [" << i << "]";
}

TEST(LIF, BackwardMatchesPyTorchAutograd) {
  // Numbers printed by reference/lif_bptt_reference.py (torch 2, float64).
  const Vec x = ref_input(), ws = ref_ws(), wv = ref_wv();
  {
    LIF<double> lif;
    expect_close(run_backward(lif, x, kT, ws, wv),
                 {-0.16882206645584508, -0.20514837219287779, -0.051704960267131228, -0.34561375291761404, -0.1797868184254473, -0.088170278458228987, -0.028854798768372325, 0.086573765215864129, -0.044545636824035201, -0.19287593812858758, -0.23933689763459989, 0.12889163749300339, 0.065087947646070107, -0.12914948064953999, -0.087400225950358845, -0.071083600175116946, -0.18744074985845338, -0.23806700027379998, -0.077535112876543841, 0.087434755592782076, -0.11680339369338, -0.10727331341406349, -0.39458714383313326, 0.19301671945123872},
                 1e-14, "lif_hard");
  }
  {
    LIFParams p;
    p.detach_reset = true;
    LIF<double> lif(p);
    expect_close(run_backward(lif, x, kT, ws, wv),
                 {-0.12991276335737226, -0.19647465322642149, -0.12723510031509389, -0.25232658948700376, -0.1070675333417396, -0.04490521126034111, -0.014929204158675505, 0.044963571297084726, -0.10113853172972652, -0.21504886800665177, -0.16070966633161549, 0.13117307624602575, 0.044673491851793569, -0.12079856622795526, -0.13175533076099408, -0.090741469339050057, -0.16200716931241815, -0.13751068329668575, -0.036814838536781649, 0.083862197568891489, -0.14502922011337593, -0.13479867408193708, -0.30335173667353588, 0.19619406592027827},
                 1e-14, "lif_hard_detach");
  }
  {
    LIFParams p;
    p.hard_reset = false;
    LIF<double> lif(p);
    expect_close(run_backward(lif, x, kT, ws, wv),
                 {-0.17150333265160417, -0.13708186228483446, -0.00069960746392759565, -0.19203962756276877, -0.21827538418738157, -0.0072952948741563522, 0.09437913366551387, 0.22006021740284409, -0.069795880331364107, -0.26610184229175815, 0.051241475366260836, 0.088074859977559219, -0.11756664602777409, 0.091140688778139911, 0.20276551517269381, -0.081094143409956382, -0.4804836386716525, 0.042154114748137933, 0.013502510327433333, 0.14771862887725165, -0.17522557301631336, -0.037394484847790607, -0.21349214271793607, 0.15596506984885877},
                 1e-14, "lif_soft");
  }
  {
    LIFParams p;
    p.decay_input = false;
    LIF<double> lif(p);
    expect_close(run_backward(lif, x, kT, ws, wv),
                 {-0.39237437313462692, -0.11409053727581714, 0.18554398627067292, -0.097122363053629091, -0.43459759269628673, -0.032151863435973135, -0.016003597915027951, 0.82302418177001258, -0.22950375808012979, -0.11894282556942951, -0.12558772131030169, 0.36497245699003922, 0.02495841951766874, -0.2628529556287903, 0.80594915679508772, -0.064931380766356614, -0.45102134013408957, -0.10126993388393622, 0.16793066292949516, 0.88371277309266727, -0.37196213563528968, 0.24346283530718596, -0.099798043118944205, 0.34879153480454189},
                 1e-14, "lif_hard_nodecay");
  }
  {
    LIFParams p;
    p.tau = 3.0;
    p.v_reset = -0.2;
    LIF<double> lif(p);
    expect_close(run_backward(lif, x, kT, ws, wv),
                 {0.010450495932970143, -0.17786196084158468, -0.19558427006401924, -0.0016028100259096549, 0.097076397831057815, -0.064998282199760948, -0.17067837181426812, 0.15711236287730779, 0.0023989577783868157, -0.17261992754032932, -0.28865134119184499, 0.01807050008499524, 0.1766047045580299, -0.058468029416129941, 0.22174241569816747, -0.11167646330511671, -0.32535774055076033, -0.32334322808853505, -0.11562931072208564, 0.26835107299790312, -0.14545689376507939, -0.084705039935757051, -0.36693774942681162, 0.065334503757666459},
                 1e-13, "lif_hard_vr");
  }
  {
    IF<double> ifn;
    expect_close(run_backward(ifn, x, kT, ws, wv),
                 {-0.87448451499585245, -0.12414182783425964, 0.22211812729852523, -0.13544721189583386, -0.69011275090988933, -0.028384929268698306, -0.092546610185174447, 0.75175608266984018, -0.21532278780727268, -0.0316742954244792, -0.1434847167403844, 0.27467010500197436, 0.029049639662133031, -0.31189749068127687, 0.77664026973681255, -0.12322608964254318, -0.35006760064316145, -0.10162520334986454, 0.11803164137002305, 0.85878182474179232, -0.37196213563528968, 0.24346283530718596, -0.099798043118944205, -0.16770578174125866},
                 1e-14, "if_hard");
  }
  {
    IFParams p;
    p.hard_reset = false;
    p.detach_reset = true;
    IF<double> ifn(p);
    expect_close(run_backward(ifn, x, kT, ws, wv),
                 {-0.40431262620082775, 0.041865632051612811, 0.45598992238912445, -0.039541683701991147, -0.23760046538581908, 0.23362070913262262, 0.74211266052474201, -0.14657860838711059, -0.20985191940102876, -0.13760103758522554, 0.34383166775528828, 0.27547526032690051, -0.085787305396476138, -0.13207634496207804, -0.057590635312264271, -0.096349262899086116, -0.16141909291442996, 0.22072346604381346, 0.40999796456576348, 0.049092330766926512, -0.47931123470537101, -0.26649341612957939, 0.19858994184596823, 0.29670685096038363},
                 1e-14, "if_soft_detach");
  }
}

// --------------------------------------------------------------- finite differences

struct Config {
  bool leak, decay_input, hard, detach;
  double tau, v_reset;
  Surrogate surrogate;
  double v_threshold = 1.0;
};

std::string name_of(const Config& c) {
  return std::string(c.leak ? "LIF" : "IF") + (c.decay_input ? "" : " no-decay-input") +
         (c.hard ? " hard" : " soft") + (c.detach ? " detach" : "") + " " +
         surrogate_name(c.surrogate.kind) + " tau " + std::to_string(c.tau) + " v_reset " +
         std::to_string(c.v_reset) + " v_threshold " + std::to_string(c.v_threshold);
}

std::unique_ptr<SpikingNeuron<double>> make(const Config& c) {
  if (c.leak) {
    LIFParams p;
    p.tau = c.tau;
    p.decay_input = c.decay_input;
    p.hard_reset = c.hard;
    p.v_reset = c.v_reset;
    p.detach_reset = c.detach;
    p.surrogate = c.surrogate;
    p.v_threshold = c.v_threshold;
    return std::make_unique<LIF<double>>(p);
  }
  IFParams p;
  p.hard_reset = c.hard;
  p.v_reset = c.v_reset;
  p.detach_reset = c.detach;
  p.surrogate = c.surrogate;
  p.v_threshold = c.v_threshold;
  return std::make_unique<IF<double>>(p);
}

/// The smooth model written out independently: S = σ(H - V_th). With `frozen` the reset uses the
/// given S values as constants (what detach_reset differentiates). Returns L = Σ ws S + Σ wv V.
double smooth_model(const Config& c, const Vec& x, int steps, int n, const Vec& ws, const Vec& wv,
                    const Vec* frozen, Vec* s_out) {
  const double vth = c.v_threshold, vr = c.hard ? c.v_reset : 0.0;
  double loss = 0;
  for (int i = 0; i < n; ++i) {
    double v = vr;
    for (int t = 0; t < steps; ++t) {
      const int k = t * n + i;
      double h;
      if (!c.leak)
        h = v + x[k];
      else if (c.decay_input)
        h = v + (x[k] - (v - vr)) / c.tau;
      else
        h = v - (v - vr) / c.tau + x[k];
      const double s = surrogate_primitive(c.surrogate.kind, c.surrogate.alpha, h - vth);
      const double sr = frozen ? (*frozen)[k] : s;
      v = c.hard ? h * (1 - sr) + c.v_reset * sr : h - vth * sr;
      if (s_out) (*s_out)[k] = s;
      loss += ws[k] * s + wv[k] * v;
    }
  }
  return loss;
}

TEST(Neurons, BpttMatchesFiniteDifferencesOfTheSmoothModel) {
  const int steps = 7, n = 3;
  Vec x(steps * n), ws(steps * n), wv(steps * n);
  for (int k = 0; k < steps * n; ++k) {
    x[k] = 0.9 * std::sin(0.7 * k + 0.3) + 0.45;  // some steps cross the threshold, some not
    ws[k] = std::cos(1.3 * k);
    wv[k] = 0.4 * std::sin(2.1 * k + 1.0);
  }
  const Surrogate surrogates[] = {Surrogate::atan(), Surrogate::sigmoid(),
                                  Surrogate::piecewise_quadratic(), Surrogate::soft_sign()};
  int checked = 0;
  for (bool leak : {true, false})
    for (bool decay : {true, false})
      for (bool hard : {true, false})
        for (bool detach : {false, true})
          for (const Surrogate& sg : surrogates) {
            if (!leak && !decay) continue;
            const Config c{leak, decay, hard, detach, leak ? 2.5 : 2.0, hard ? -0.1 : 0.0, sg};
            auto layer = make(c);
            layer->set_smooth_forward(true);
            // The layer computes the smooth model...
            Vec v;
            const Vec s_layer = run_forward(*layer, x, steps, &v);
            Vec s_ref(x.size());
            smooth_model(c, x, steps, n, ws, wv, nullptr, &s_ref);
            expect_close(s_layer, s_ref, 1e-14, name_of(c) + " smooth forward");
            // ...and its BPTT gives the model's gradient (reset spikes held fixed if detached).
            const Vec grad = run_backward(*layer, x, steps, ws, wv);
            const Vec* frozen = detach ? &s_ref : nullptr;
            for (int k = 0; k < steps * n; ++k) {
              const double e = 1e-6;
              Vec xp = x, xm = x;
              xp[k] += e;
              xm[k] -= e;
              const double fd = (smooth_model(c, xp, steps, n, ws, wv, frozen, nullptr) -
                                 smooth_model(c, xm, steps, n, ws, wv, frozen, nullptr)) / (2 * e);
              EXPECT_NEAR(grad[k], fd, 1e-7 * (1 + std::fabs(fd))) << name_of(c) << " dL/dX[" << k << "]";
            }
            ++checked;
          }
  EXPECT_EQ(checked, 48);
}

// v_threshold != 1 enters the spike (σ(H − V_th)) and the soft reset (V = H − V_th·S): BPTT
// against finite differences of the smooth model at thresholds below and above 1.
TEST(Neurons, BpttMatchesFiniteDifferencesWithOtherThresholds) {
  const int steps = 7, n = 3;
  Vec x(steps * n), ws(steps * n), wv(steps * n);
  for (int k = 0; k < steps * n; ++k) {
    x[k] = 0.9 * std::sin(0.7 * k + 0.3) + 0.45;
    ws[k] = std::cos(1.3 * k);
    wv[k] = 0.4 * std::sin(2.1 * k + 1.0);
  }
  int checked = 0;
  for (double vth : {0.4, 1.7})
    for (bool leak : {true, false})
      for (bool hard : {true, false})
        for (bool detach : {false, true})
          for (const Surrogate& sg : {Surrogate::atan(), Surrogate::sigmoid()}) {
            const Config c{leak, true, hard, detach, 2.5, hard ? -0.1 : 0.0, sg, vth};
            auto layer = make(c);
            layer->set_smooth_forward(true);
            Vec v;
            const Vec s_layer = run_forward(*layer, x, steps, &v);
            Vec s_ref(x.size());
            smooth_model(c, x, steps, n, ws, wv, nullptr, &s_ref);
            expect_close(s_layer, s_ref, 1e-14, name_of(c) + " smooth forward");
            const Vec grad = run_backward(*layer, x, steps, ws, wv);
            const Vec* frozen = detach ? &s_ref : nullptr;
            double largest = 0;
            for (int k = 0; k < steps * n; ++k) {
              const double e = 1e-6;
              Vec xp = x, xm = x;
              xp[k] += e;
              xm[k] -= e;
              const double fd = (smooth_model(c, xp, steps, n, ws, wv, frozen, nullptr) -
                                 smooth_model(c, xm, steps, n, ws, wv, frozen, nullptr)) / (2 * e);
              EXPECT_NEAR(grad[k], fd, 1e-7 * (1 + std::fabs(fd))) << name_of(c) << " dL/dX[" << k << "]";
              largest = std::max(largest, std::fabs(fd));
            }
            EXPECT_GT(largest, 1e-3) << name_of(c);  // not a vacuous comparison
            ++checked;
          }
  EXPECT_EQ(checked, 32);
  // The threshold changes the gradient (the tests above would pass for a layer ignoring it only
  // if the smooth model ignored it too): the same input at V_th 1 and 1.7 differs.
  const Config a{true, true, false, false, 2.5, 0.0, Surrogate::atan(), 1.0};
  Config b = a;
  b.v_threshold = 1.7;
  auto la = make(a), lb = make(b);
  EXPECT_NE(run_backward(*la, x, steps, ws, wv), run_backward(*lb, x, steps, ws, wv));
}

TEST(Neurons, FloatMatchesDouble) {
  const int steps = 20, n = 5;
  Vec x(steps * n), ws(steps * n), wv(steps * n, 0.0);
  for (int k = 0; k < steps * n; ++k) {
    x[k] = 1.1 * std::sin(0.37 * k) + 0.6;
    ws[k] = std::cos(0.9 * k);
  }
  LIF<double> d;
  LIF<float> f;
  Tensor<float> tx, ty, gy, gx;
  tx.from_host({steps, 1, n}, std::vector<float>(x.begin(), x.end()));
  f.forward(tx, ty);
  gy.from_host({steps, 1, n}, std::vector<float>(ws.begin(), ws.end()));
  f.backward(tx, ty, gy, gx);
  const Vec sd = run_forward(d, x, steps);
  const Vec gd = run_backward(d, x, steps, ws, wv);
  const auto sf = ty.to_host(), gf = gx.to_host();
  for (int k = 0; k < steps * n; ++k) {
    EXPECT_EQ(sf[k], float(sd[k])) << k;
    EXPECT_NEAR(gf[k], gd[k], 1e-5) << k;
  }
}

}  // namespace
}  // namespace snn::learning
