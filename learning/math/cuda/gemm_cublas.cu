// gemm on cuBLAS, for the CUDA system. cuBLAS is column-major: a row-major C = op(A)·op(B) is the
// column-major C^T = op(B)^T·op(A)^T, so the operands swap and the transposes stay as asked.
#include <cublas_v2.h>

#include <string>

#include "learning/math/gemm.h"
#include "sim/core/errors.h"

namespace snn::learning {
namespace {

cublasHandle_t handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t created = nullptr;
    if (cublasCreate(&created) != CUBLAS_STATUS_SUCCESS) throw Error("cublasCreate failed");
    return created;
  }();
  return h;
}

void check(cublasStatus_t status, const char* what) {
  if (status != CUBLAS_STATUS_SUCCESS)
    throw Error(std::string(what) + " failed with cuBLAS status " + std::to_string(status));
}

cublasOperation_t op(bool t) { return t ? CUBLAS_OP_T : CUBLAS_OP_N; }

}  // namespace

void gemm(bool trans_a, bool trans_b, int m, int n, int k, float alpha, const float* a, int lda,
          const float* b, int ldb, float beta, float* c, int ldc) {
  check(cublasSgemm(handle(), op(trans_b), op(trans_a), n, m, k, &alpha, b, ldb, a, lda, &beta, c,
                    ldc),
        "cublasSgemm");
}

void gemm(bool trans_a, bool trans_b, int m, int n, int k, double alpha, const double* a, int lda,
          const double* b, int ldb, double beta, double* c, int ldc) {
  check(cublasDgemm(handle(), op(trans_b), op(trans_a), n, m, k, &alpha, b, ldb, a, lda, &beta, c,
                    ldc),
        "cublasDgemm");
}

}  // namespace snn::learning
