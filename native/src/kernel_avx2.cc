// 6×16 AVX2+FMA micro-kernel: 12 ymm accumulators, two B loads and six A broadcasts per k.
// Compiled for AVX2/FMA by target attribute and called only after a runtime CPU check (gemm.cc).
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#include "microkernels.h"

namespace sheaf {

__attribute__((target("avx2,fma"))) void kernel_avx2_6x16(long kc, const float* a, const float* b, float* c, long ldc,
                                                           bool acc) {
  __m256 c0[6], c1[6];
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    c0[i] = _mm256_setzero_ps();
    c1[i] = _mm256_setzero_ps();
  }
  for (long k = 0; k < kc; k++) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int i = 0; i < 6; i++) {
      const __m256 ai = _mm256_broadcast_ss(a + i);
      c0[i] = _mm256_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm256_fmadd_ps(ai, b1, c1[i]);
    }
    a += 6;
    b += 16;
  }
#pragma GCC unroll 6
  for (int i = 0; i < 6; i++) {
    float* ci = c + i * ldc;
    if (acc) {
      c0[i] = _mm256_add_ps(c0[i], _mm256_loadu_ps(ci));
      c1[i] = _mm256_add_ps(c1[i], _mm256_loadu_ps(ci + 8));
    }
    _mm256_storeu_ps(ci, c0[i]);
    _mm256_storeu_ps(ci + 8, c1[i]);
  }
}

}  // namespace sheaf
#endif
