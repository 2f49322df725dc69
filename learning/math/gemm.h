// Dense matrix product on the device system: the CPU BLAS under OMP/CPP, cuBLAS under CUDA.
// Row-major: C[M×N] = alpha · op(A)[M×K] · op(B)[K×N] + beta · C, where op transposes when asked.
// Pointers are device-system pointers (Tensor::data()).
#pragma once

namespace snn::learning {

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc);
void gemm(bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double* a, int lda,
          const double* b, int ldb, double beta, double* c, int ldc);

}  // namespace snn::learning
