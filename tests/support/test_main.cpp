// main() of every test binary: in a CUDA build on a machine without a GPU, every test is skipped
// cleanly (the CPU build runs them all); otherwise plain GoogleTest.
#include <gtest/gtest.h>

#include "sim/core/device_info.h"

namespace {

class RequireDevice : public ::testing::Environment {
 public:
  void SetUp() override {
    if (!snn::device_available()) GTEST_SKIP() << "no GPU visible: " << snn::device_description();
  }
};

}  // namespace

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(new RequireDevice);
  return RUN_ALL_TESTS();
}
