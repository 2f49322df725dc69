// The fused Poisson→Linear→neuron path gives the same spikes, potentials and gradients as the
// generic poisson_encode → Flatten → Linear → neuron layers (same weights, same seed).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "learning/layers/flatten.h"
#include "learning/layers/linear.h"
#include "learning/layers/poisson_linear.h"
#include "learning/model/classifier.h"
#include "learning/neurons/if_neuron.h"
#include "learning/neurons/lif.h"

namespace snn::learning {
namespace {

struct Case {
  int steps, batch, side, out;  // images [batch, 1, side, side]
  bool bias, if_neuron, hidden;
  LIFParams lif;
};

template <class T>
std::vector<T> test_images(int batch, int pixels) {
  std::vector<T> img(std::size_t(batch) * pixels);
  for (std::size_t k = 0; k < img.size(); ++k) {
    const unsigned h = unsigned(k * 2654435761u) >> 24;  // 0..255, scrambled
    img[k] = h < 110 ? T(0) : h > 215 ? T(1) : T(h) / T(255);  // zeros, ones and fractions
  }
  return img;
}

template <class T>
std::unique_ptr<Classifier<T>> make_model(const Case& c) {
  auto body = std::make_unique<Sequential<T>>();
  body->add(std::make_unique<Flatten<T>>());
  const int in = c.side * c.side, first = c.hidden ? 24 : c.out;
  auto fc = std::make_unique<Linear<T>>(in, first, c.bias, "fc0", 3);
  // scale the weights up so that the neurons fire often
  std::vector<T> w = fc->weight().value.to_host();
  for (T& v : w) v *= T(6);
  fc->weight().value.from_host(fc->weight().value.shape(), w);
  body->add(std::move(fc));
  if (c.if_neuron)
    body->add(std::make_unique<IF<T>>());
  else
    body->add(std::make_unique<LIF<T>>(c.lif));
  if (c.hidden) {
    auto fc1 = std::make_unique<Linear<T>>(first, c.out, false, "fc1", 4);
    std::vector<T> w1 = fc1->weight().value.to_host();
    for (T& v : w1) v = v * T(8) + T(0.2);
    fc1->weight().value.from_host(fc1->weight().value.shape(), w1);
    body->add(std::move(fc1));
    body->add(std::make_unique<LIF<T>>(c.lif));
  }
  return std::make_unique<Classifier<T>>(EncoderKind::Poisson, std::move(body), 17);
}

template <class T>
void compare(const Case& c, double tol) {
  auto model = make_model<T>(c);
  ASSERT_TRUE(model->fused());
  const int pixels = c.side * c.side;
  Tensor<T> images;
  images.from_host({c.batch, 1, c.side, c.side}, test_images<T>(c.batch, pixels));
  std::vector<T> g(std::size_t(c.steps) * c.batch * c.out);
  for (std::size_t k = 0; k < g.size(); ++k) g[k] = T(std::sin(0.61 * k + 0.2));
  Tensor<T> grad;
  grad.from_host({c.steps, c.batch, c.out}, g);

  struct Result {
    std::vector<T> out, v;
    std::vector<std::vector<T>> grads;
  };
  auto run = [&](bool fused) {
    model->set_fused(fused);
    model->zero_grad();
    Result r;
    for (int rep = 0; rep < 2; ++rep) {  // a second batch reuses every buffer
      r.out = model->forward(images, c.steps, 1234 + rep).to_host();
      r.v = model->output_v_seq().to_host();
      model->backward(grad);
    }
    for (Parameter<T>* p : model->parameters()) r.grads.push_back(p->grad.to_host());
    return r;
  };
  const Result a = run(true), b = run(false);
  ASSERT_EQ(a.out.size(), b.out.size());
  double spikes = 0;
  for (std::size_t k = 0; k < a.out.size(); ++k) {
    ASSERT_EQ(a.out[k], b.out[k]) << "output " << k;
    spikes += a.out[k];
  }
  EXPECT_GT(spikes, 0.05 * a.out.size());  // the test means something only if neurons fire
  for (std::size_t k = 0; k < a.v.size(); ++k) ASSERT_NEAR(a.v[k], b.v[k], tol) << "v " << k;
  ASSERT_EQ(a.grads.size(), b.grads.size());
  double norm = 0;
  for (std::size_t p = 0; p < a.grads.size(); ++p)
    for (std::size_t k = 0; k < a.grads[p].size(); ++k) {
      ASSERT_NEAR(a.grads[p][k], b.grads[p][k], tol * (1 + std::fabs(b.grads[p][k])))
          << "parameter " << p << " grad " << k;
      norm += std::fabs(b.grads[p][k]);
    }
  EXPECT_GT(norm, 0.0);
}

TEST(FusedPoissonLinear, MatchesGenericLayersLIF784to10) {
  compare<double>({100, 8, 28, 10, false, false, false, {}}, 1e-11);
  compare<float>({100, 8, 28, 10, false, false, false, {}}, 2e-4);
}

TEST(FusedPoissonLinear, MatchesGenericLayersAcrossStepCountsAndWidths) {
  for (int steps : {1, 3, 4, 63, 64, 65, 130})
    compare<double>({steps, 3, 9, 10, false, false, false, {}}, 1e-11);
  for (int out : {1, 16, 17, 20, 33, 50}) compare<double>({21, 3, 9, out, false, false, false, {}}, 1e-11);
}

TEST(FusedPoissonLinear, MatchesGenericLayersWithBiasIFHiddenLayersAndResetVariants) {
  compare<double>({40, 5, 10, 12, true, false, false, {}}, 1e-11);
  compare<double>({40, 5, 10, 12, false, true, false, {}}, 1e-11);
  compare<double>({40, 5, 10, 10, false, false, true, {}}, 1e-11);
  compare<float>({50, 64, 28, 10, false, false, true, {}}, 2e-4);
  LIFParams soft;
  soft.hard_reset = false;
  soft.detach_reset = true;
  soft.surrogate = Surrogate::sigmoid();
  compare<double>({40, 5, 10, 10, true, false, false, soft}, 1e-11);
  LIFParams nodecay;
  nodecay.decay_input = false;
  nodecay.tau = 3.0;
  nodecay.v_reset = -0.3;
  compare<double>({40, 5, 10, 10, false, false, false, nodecay}, 1e-11);
}

TEST(FusedPoissonLinear, SpikesEqualTheEncoderIncludingTies) {
  // 64 samples x 784 fractional pixels x 200 steps: about 150 ties on the 16-bit digit.
  const int steps = 200, batch = 64, in = 784, out = 1;
  Linear<float> fc(in, out, false, "fc", 1);
  fc.weight().value.from_host({out, in}, std::vector<float>(in, 0.0f));
  std::vector<float> img(std::size_t(batch) * in);
  for (std::size_t k = 0; k < img.size(); ++k) img[k] = float(1 + (k * 7919) % 254) / 255.0f;
  Tensor<float> images, enc;
  images.from_host({batch, in}, img);
  poisson_encode(images, steps, 3, 11, enc);
  const auto e = enc.to_host();
  const PoissonStream ps = PoissonStream::make(3, 11);
  long ties = 0;
  for (int b = 0; b < batch; ++b)
    for (int p = 0; p < in; ++p) {
      const std::uint32_t thr = poisson_threshold24(img[std::size_t(b) * in + p]);
      for (int t = 0; t < steps; t += 8) {
        const Random4 r = ps.rng.draw(p, t / 8, b, 11);
        for (int k = 0; k < 8 && t + k < steps; ++k) ties += PoissonStream::digit(r, k) == (thr >> 8);
      }
    }
  EXPECT_GT(ties, 50);  // the tie path is exercised
  LIF<float> lif;
  PoissonLinearNeuron<float> fused(fc, lif, 3);
  Tensor<float> spikes;
  fused.forward(images, steps, 11, spikes, false);
  EXPECT_EQ(fused.input_spikes(), e);
}

TEST(FusedPoissonLinear, MembraneGradientMatchesGenericLayers) {
  const int steps = 30, batch = 4, in = 49, out = 10;
  Linear<double> fc(in, out, false, "fc", 2);
  std::vector<double> w = fc.weight().value.to_host();
  for (double& v : w) v *= 5;
  fc.weight().value.from_host({out, in}, w);
  LIF<double> lif;
  PoissonLinearNeuron<double> fused(fc, lif, 5);
  Tensor<double> images, spikes, grad, gv;
  images.from_host({batch, in}, test_images<double>(batch, in));
  std::vector<double> g(std::size_t(steps) * batch * out), h(g.size());
  for (std::size_t k = 0; k < g.size(); ++k) {
    g[k] = std::cos(0.3 * k);
    h[k] = 0.2 * std::sin(0.11 * k);
  }
  grad.from_host({steps, batch, out}, g);
  gv.from_host({steps, batch, out}, h);
  fused.forward(images, steps, 9, spikes);
  fused.set_grad_v_seq(&gv);
  fused.backward(grad);
  const auto gw_fused = fc.weight().grad.to_host();
  fc.weight().zero_grad();
  // generic
  Tensor<double> enc, x, y, gx;
  poisson_encode(images, steps, 5, 9, enc);
  fc.forward(enc, x);
  lif.forward(x, y);
  EXPECT_EQ(y.to_host(), spikes.to_host());
  lif.set_grad_v_seq(&gv);
  Tensor<double> gxl;
  lif.backward(x, y, grad, gxl);
  fc.backward(enc, x, gxl, gx, false);
  const auto gw = fc.weight().grad.to_host();
  for (std::size_t k = 0; k < gw.size(); ++k) EXPECT_NEAR(gw_fused[k], gw[k], 1e-11) << k;
}

}  // namespace
}  // namespace snn::learning
