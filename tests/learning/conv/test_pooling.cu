// Pools and Dropout: forward values, backward against finite differences, Dropout's mask.
#include <gtest/gtest.h>

#include "learning/layers/dropout.h"
#include "learning/layers/pooling.h"
#include "learning/layers/unflatten.h"
#include "sim/core/errors.h"
#include "tests/learning/conv/fd_check.h"

namespace snn::learning {
namespace {

using testing::expect_gradient;
using testing::random_tensor;
using testing::weighted_sum;

template <class L>
void check_layer_gradient(L& layer, Tensor<double>& x, const char* what) {
  Tensor<double> y, gx;
  layer.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 99);
  layer.backward(x, y, w, gx);
  ASSERT_EQ(gx.shape(), x.shape());
  auto loss = [&] {
    Tensor<double> out;
    layer.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, what, 1e-7, 400);
}

TEST(MaxPool2d, ForwardTakesWindowMaxima) {
  MaxPool2d<double> pool(2);
  Tensor<double> x, y;
  x.from_host({1, 1, 1, 4, 4}, {1, 2, 3, 4,   //
                                5, 6, 7, 8,   //
                                -1, 0, 9, 1,  //
                                3, -2, 1, 1});
  pool.forward(x, y);
  EXPECT_EQ(y.shape(), (Shape{1, 1, 1, 2, 2}));
  EXPECT_EQ(y.to_host(), (std::vector<double>{6, 8, 3, 9}));
}

TEST(MaxPool2d, BackwardMatchesFiniteDifferences) {
  // distinct random values: no ties, so the max is differentiable at the point
  Tensor<double> x = random_tensor({2, 2, 3, 6, 7}, 1);
  MaxPool2d<double> pool2(2);
  check_layer_gradient(pool2, x, "maxpool k2");
  MaxPool2d<double> overlap(3, 2, 1);  // overlapping windows with padding
  check_layer_gradient(overlap, x, "maxpool k3 s2 p1");
}

// Spikes make ties the normal case. As PyTorch's max_pool2d (strict '>' scanning the window row
// by row from -inf; padding never wins), the gradient goes to the first maximum only, and an
// all-zero window sends it to its first element.
TEST(MaxPool2d, TiesSendTheGradientToTheFirstMaximum) {
  const std::vector<double> spikes = {0, 1, 1, 0,  //
                                      1, 1, 0, 0,  //
                                      0, 0, 0, 0,  //
                                      0, 0, 1, 1};
  Tensor<double> x, y, gy, gx;
  x.from_host({1, 1, 1, 4, 4}, spikes);
  gy.from_host({1, 1, 1, 2, 2}, {10, 20, 30, 40});
  MaxPool2d<double> pool(2);
  pool.forward(x, y);
  EXPECT_EQ(y.to_host(), (std::vector<double>{1, 1, 0, 1}));
  pool.backward(x, y, gy, gx);
  std::vector<double> expected(16, 0.0);
  expected[1] = 10;   // window (0,0): 0 1 / 1 1 → the 1 at (0,1)
  expected[2] = 20;   // window (0,1): 1 0 / 0 0 → (0,2)
  expected[8] = 30;   // window (1,0): all zero → its first element (2,0)
  expected[14] = 40;  // window (1,1): 0 0 / 1 1 → (3,2), not (3,3)
  EXPECT_EQ(gx.to_host(), expected);
  // Overlapping 3×3 windows, stride 2, padding 1: (0,1) is the first maximum of two windows and
  // collects both gradients.
  MaxPool2d<double> overlap(3, 2, 1);
  overlap.forward(x, y);
  overlap.backward(x, y, gy, gx);
  std::vector<double> expected2(16, 0.0);
  expected2[1] = 10 + 20;  // windows rows −1..1 × cols −1..1 and −1..1 × 1..3
  expected2[4] = 30;       // rows 1..3 × cols −1..1: (1,0) comes first
  expected2[5] = 40;       // rows 1..3 × cols 1..3: (1,1)
  EXPECT_EQ(gx.to_host(), expected2);
}

TEST(AvgPool2d, ForwardAndBackward) {
  AvgPool2d<double> pool(2);
  Tensor<double> x, y;
  x.from_host({1, 1, 1, 2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  pool.forward(x, y);
  EXPECT_EQ(y.to_host(), (std::vector<double>{3.5, 5.5}));
  Tensor<double> r = random_tensor({2, 1, 2, 5, 6}, 2);
  check_layer_gradient(pool, r, "avgpool k2");
  AvgPool2d<double> overlap(3, 2, 1);
  check_layer_gradient(overlap, r, "avgpool k3 s2 p1");
}

TEST(GlobalAvgPool, ForwardAndBackward) {
  GlobalAvgPool<double> pool;
  Tensor<double> x = random_tensor({2, 3, 4, 3, 5}, 3), y;
  pool.forward(x, y);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4}));
  std::vector<double> hx = x.to_host(), hy = y.to_host();
  for (std::size_t p = 0; p < hy.size(); ++p) {
    double s = 0;
    for (int j = 0; j < 15; ++j) s += hx[p * 15 + j];
    EXPECT_NEAR(hy[p], s / 15, 1e-12);
  }
  check_layer_gradient(pool, x, "global avg pool");
}

TEST(Pools, RejectBadWindows) {
  EXPECT_THROW(MaxPool2d<float>(0), InvalidParameter);
  EXPECT_THROW(MaxPool2d<float>(17), InvalidParameter);  // argmax offsets are bytes
  EXPECT_NO_THROW(MaxPool2d<float>(16));
  EXPECT_THROW(AvgPool2d<float>(2, 0, 2), InvalidParameter);
  MaxPool2d<float> pool(4);
  Tensor<float> small({1, 1, 1, 3, 3}), flat({1, 1, 9}), y;
  EXPECT_THROW(pool.forward(small, y), InvalidParameter);
  EXPECT_THROW(pool.forward(flat, y), InvalidParameter);
}

TEST(Dropout, MaskIsSharedByAllStepsAndScalesKeptValues) {
  const double p = 0.3;
  Dropout<double> drop(p, 17);
  const int steps = 4, batch = 8, features = 500;
  Tensor<double> x({steps, batch, features}, 1.0), y;
  drop.forward(x, y);
  std::vector<double> h = y.to_host();
  int kept = 0;
  for (int b = 0; b < batch; ++b)
    for (int f = 0; f < features; ++f) {
      const double v0 = h[(0 * batch + b) * features + f];
      EXPECT_TRUE(v0 == 0.0 || std::abs(v0 - 1 / (1 - p)) < 1e-12);
      kept += v0 != 0;
      for (int t = 1; t < steps; ++t) ASSERT_EQ(h[(t * batch + b) * features + f], v0);
    }
  EXPECT_NEAR(kept / double(batch * features), 1 - p, 0.03);
  // samples get different masks, and the next batch a new one
  std::vector<double> m = drop.mask().to_host();
  EXPECT_NE(std::vector<double>(m.begin(), m.begin() + features),
            std::vector<double>(m.begin() + features, m.begin() + 2 * features));
  drop.forward(x, y);
  EXPECT_NE(drop.mask().to_host(), m);
  // replaying the draw index replays the mask
  drop.set_draw(0);
  drop.forward(x, y);
  EXPECT_EQ(drop.mask().to_host(), m);
}

TEST(Dropout, BackwardWithAFixedMaskMatchesFiniteDifferences) {
  Dropout<double> drop(0.5, 3);
  Tensor<double> x = random_tensor({3, 4, 2, 3, 3}, 5), y, gx;
  drop.set_draw(7);
  drop.forward(x, y);
  Tensor<double> w = random_tensor(y.shape(), 6);
  drop.backward(x, y, w, gx);
  auto loss = [&] {
    drop.set_draw(7);  // the same mask at every evaluation
    Tensor<double> out;
    drop.forward(x, out);
    return weighted_sum(out, w);
  };
  expect_gradient(x, gx.to_host(), loss, "dropout dL/dx", 1e-7, 216);
}

TEST(Dropout, EvaluationIsTheIdentity) {
  Dropout<float> drop(0.5, 1);
  drop.set_training(false);
  Tensor<float> x({2, 3, 10}, 2.0f), y, gx;
  drop.forward(x, y);
  EXPECT_EQ(y.to_host(), x.to_host());
  drop.backward(x, y, x, gx);
  EXPECT_EQ(gx.to_host(), x.to_host());
  EXPECT_THROW(Dropout<float>(1.0), InvalidParameter);
  EXPECT_THROW(Dropout<float>(-0.1), InvalidParameter);
}

TEST(Unflatten, ReshapesFlatImagesAndPassesShapedOnes) {
  Unflatten<double> u({1, 2, 3});
  Tensor<double> flat = random_tensor({2, 2, 6}, 1), y, gx;
  u.forward(flat, y);
  EXPECT_EQ(y.shape(), (Shape{2, 2, 1, 2, 3}));
  EXPECT_EQ(y.to_host(), flat.to_host());
  u.backward(flat, y, y, gx);
  EXPECT_EQ(gx.shape(), flat.shape());
  Tensor<double> bad({2, 2, 5});
  EXPECT_THROW(u.forward(bad, y), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
