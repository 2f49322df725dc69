// Optimizer state for checkpoints (named buffers + step count) and the factory from names.
#include <gtest/gtest.h>

#include <map>

#include "learning/optim/adam.h"
#include "learning/optim/optimizer.h"
#include "learning/optim/sgd.h"
#include "optim_test_support.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

std::vector<std::string> names_of(const BufferList<float>& state) {
  std::vector<std::string> out;
  for (const Buffer<float>* b : state) out.push_back(b->name);
  return out;
}

TEST(OptimizerState, NamesFollowTheOptimizerAndParameter) {
  testing::TwoParams<float> params;
  SGD<float> sgd(params.list(), 0.1, 0.9);
  EXPECT_EQ(names_of(sgd.state()),
            (std::vector<std::string>{"sgd.momentum.fc.weight", "sgd.momentum.fc.bias"}));
  Adam<float> adam(params.list());
  EXPECT_EQ(names_of(adam.state()),
            (std::vector<std::string>{"adam.exp_avg.fc.weight", "adam.exp_avg_sq.fc.weight",
                                      "adam.exp_avg.fc.bias", "adam.exp_avg_sq.fc.bias"}));
  AdamW<float> adamw(params.list());
  EXPECT_EQ(names_of(adamw.state()).front(), "adamw.exp_avg.fc.weight");
  for (const Buffer<float>* b : adam.state()) {
    EXPECT_EQ(b->value.shape(),
              b->name.find("weight") != std::string::npos ? (Shape{2, 3}) : (Shape{3}));
  }
}

/// Saves the state as a checkpoint would (host copies by name), builds a fresh optimizer over
/// fresh parameters with the same values, restores, and checks that both continue identically.
void check_round_trip(const OptimizerOptions& options) {
  SCOPED_TRACE(options.name);
  testing::TwoParams<float> a;
  auto opt_a = make_optimizer<float>(options, a.list());
  for (int k = 1; k <= 2; ++k) {
    a.set_grads(k);
    opt_a->step();
  }
  std::map<std::string, std::vector<float>> saved;
  for (const Buffer<float>* b : opt_a->state()) saved[b->name] = b->value.to_host();
  const std::int64_t saved_steps = opt_a->step_count();

  testing::TwoParams<float> b;
  for (int j = 0; j < 2; ++j) {
    b.at(j).value.from_host(a.at(j).value.shape(), a.at(j).value.to_host());
  }
  auto opt_b = make_optimizer<float>(options, b.list());
  ASSERT_EQ(opt_b->state().size(), saved.size());
  for (Buffer<float>* buf : opt_b->state()) {
    ASSERT_EQ(saved.count(buf->name), 1u) << buf->name;
    buf->value.from_host(buf->value.shape(), saved.at(buf->name));
  }
  opt_b->set_step_count(saved_steps);

  for (int k = 3; k <= 4; ++k) {
    a.set_grads(k);
    b.set_grads(k);
    opt_a->step();
    opt_b->step();
  }
  for (int j = 0; j < 2; ++j) EXPECT_EQ(a.at(j).value.to_host(), b.at(j).value.to_host());
}

TEST(OptimizerState, SaveRestoreThenStepGivesIdenticalParameters) {
  OptimizerOptions sgd;
  sgd.name = "sgd";
  sgd.lr = 0.1;
  sgd.momentum = 0.9;
  sgd.weight_decay = 1e-3;
  check_round_trip(sgd);
  sgd.nesterov = true;
  check_round_trip(sgd);
  OptimizerOptions adam;
  adam.name = "adam";
  adam.lr = 0.05;
  adam.weight_decay = 1e-2;
  check_round_trip(adam);
  adam.name = "adamw";
  check_round_trip(adam);
  OptimizerOptions other;
  other.lr = 0.05;
  other.weight_decay = 1e-2;
  other.name = "adagrad";
  other.lr_decay = 0.1;
  check_round_trip(other);
  other.name = "adadelta";
  check_round_trip(other);
  other.name = "rmsprop";
  check_round_trip(other);
  other.momentum = 0.9;
  other.centered = true;
  check_round_trip(other);
}

TEST(OptimizerState, NamesOfTheAdaptiveOptimizers) {
  testing::TwoParams<float> params;
  OptimizerOptions o;
  o.name = "adagrad";
  EXPECT_EQ(names_of(make_optimizer<float>(o, params.list())->state()),
            (std::vector<std::string>{"adagrad.sum.fc.weight", "adagrad.sum.fc.bias"}));
  o.name = "adadelta";
  EXPECT_EQ(names_of(make_optimizer<float>(o, params.list())->state()),
            (std::vector<std::string>{"adadelta.square_avg.fc.weight",
                                      "adadelta.acc_delta.fc.weight", "adadelta.square_avg.fc.bias",
                                      "adadelta.acc_delta.fc.bias"}));
  o.name = "rmsprop";
  EXPECT_EQ(names_of(make_optimizer<float>(o, params.list())->state()),
            (std::vector<std::string>{"rmsprop.square_avg.fc.weight", "rmsprop.square_avg.fc.bias"}));
  o.momentum = 0.5;
  o.centered = true;
  EXPECT_EQ(names_of(make_optimizer<float>(o, params.list())->state()),
            (std::vector<std::string>{
                "rmsprop.square_avg.fc.weight", "rmsprop.momentum_buffer.fc.weight",
                "rmsprop.grad_avg.fc.weight", "rmsprop.square_avg.fc.bias",
                "rmsprop.momentum_buffer.fc.bias", "rmsprop.grad_avg.fc.bias"}));
}

TEST(OptimizerState, RestoringMattersForAdam) {
  // A fresh Adam without the saved moments and step count takes a different step.
  testing::TwoParams<double> a, b;
  Adam<double> opt_a(a.list(), 0.05), opt_b(b.list(), 0.05);
  a.set_grads(1);
  opt_a.step();
  b.set(a.get());
  a.set_grads(2);
  b.set_grads(2);
  opt_a.step();
  opt_b.step();
  EXPECT_NE(a.get(), b.get());
}

TEST(OptimizerFactory, BuildsByNameAndRejectsBadSettings) {
  testing::TwoParams<float> params;
  OptimizerOptions o;
  o.name = "sgd";
  o.lr = 0.1;
  o.momentum = 0.9;
  auto sgd = make_optimizer<float>(o, params.list());
  EXPECT_EQ(sgd->name(), "sgd");
  EXPECT_DOUBLE_EQ(sgd->lr(), 0.1);
  EXPECT_EQ(sgd->describe(),
            "SGD(lr=0.1, momentum=0.9, dampening=0, weight_decay=0, nesterov=false)");
  o.name = "adam";
  o.lr = 1e-3;
  auto adam = make_optimizer<float>(o, params.list());
  EXPECT_EQ(adam->name(), "adam");
  EXPECT_EQ(adam->describe(), "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0)");
  o.name = "adamw";
  EXPECT_EQ(make_optimizer<double>(o, testing::TwoParams<double>().list())->name(), "adamw");

  o.name = "lion";
  EXPECT_THROW(make_optimizer<float>(o, params.list()), InvalidParameter);
  EXPECT_THROW(default_lr("lion"), InvalidParameter);
  for (const char* n : {"adagrad", "adadelta", "rmsprop"}) {
    o.name = n;
    EXPECT_EQ(make_optimizer<float>(o, params.list())->name(), n);
  }
  o.name = "adagrad";
  EXPECT_EQ(make_optimizer<float>(o, params.list())->describe(),
            "Adagrad(lr=0.001, lr_decay=0, weight_decay=0, initial_accumulator_value=0, "
            "eps=1e-10)");
  o.name = "adadelta";
  EXPECT_EQ(make_optimizer<float>(o, params.list())->describe(),
            "Adadelta(lr=0.001, rho=0.9, eps=1e-06, weight_decay=0)");
  o.name = "rmsprop";
  o.centered = true;
  EXPECT_EQ(make_optimizer<float>(o, params.list())->describe(),
            "RMSprop(lr=0.001, alpha=0.99, eps=1e-08, weight_decay=0, momentum=0.9, "
            "centered=true)");
  o.centered = false;
  EXPECT_DOUBLE_EQ(default_lr("adagrad"), 1e-2);
  EXPECT_DOUBLE_EQ(default_lr("rmsprop"), 1e-2);
  EXPECT_DOUBLE_EQ(default_lr("adadelta"), 1.0);
  EXPECT_DOUBLE_EQ(default_lr("adam"), 1e-3);
  o.name = "sgd";
  o.lr = -0.1;
  EXPECT_THROW(make_optimizer<float>(o, params.list()), InvalidParameter);
  o.lr = 0.1;
  o.momentum = -0.5;
  EXPECT_THROW(make_optimizer<float>(o, params.list()), InvalidParameter);
  o.momentum = 0.0;
  o.weight_decay = -1e-4;
  EXPECT_THROW(make_optimizer<float>(o, params.list()), InvalidParameter);
  o.name = "adam";
  EXPECT_THROW(make_optimizer<float>(o, params.list()), InvalidParameter);
}

TEST(OptimizerFactory, ZeroGradAndLrAndStepCount) {
  testing::TwoParams<float> params;
  params.set_grads(1);
  auto opt = make_optimizer<float>(OptimizerOptions{}, params.list());
  opt->zero_grad();
  for (float g : params.weight.grad.to_host()) EXPECT_EQ(g, 0.0f);
  opt->set_lr(0.5);
  EXPECT_DOUBLE_EQ(opt->lr(), 0.5);
  opt->set_step_count(7);
  EXPECT_EQ(opt->step_count(), 7);
  EXPECT_THROW(opt->set_step_count(-1), InvalidParameter);
}

}  // namespace
}  // namespace snn::learning
