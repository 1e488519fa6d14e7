// 12×32 AVX-512 micro-kernel: 24 zmm accumulators, two B loads and twelve A broadcasts per k.
// Only this function is compiled for AVX-512 (target attribute); it is called only after a
// runtime CPU check (gemm.cc), so the binary still runs on CPUs without AVX-512.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#include "microkernels.h"

namespace sheaf {

__attribute__((target("avx512f,fma"))) void kernel_avx512_12x32(long kc, const float* a, const float* b, float* c,
                                                                long ldc, bool acc) {
  __m512 c0[12], c1[12];
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) {
    c0[i] = _mm512_setzero_ps();
    c1[i] = _mm512_setzero_ps();
  }
  // Fetch the C tile early: its rows are read at the end and are usually not in cache.
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) {
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
  }
#pragma GCC unroll 2
  for (long k = 0; k < kc; k++) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 512), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 12
    for (int i = 0; i < 12; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
    a += 12;
    b += 32;
  }
#pragma GCC unroll 12
  for (int i = 0; i < 12; i++) {
    float* ci = c + i * ldc;
    if (acc) {
      c0[i] = _mm512_add_ps(c0[i], _mm512_loadu_ps(ci));
      c1[i] = _mm512_add_ps(c1[i], _mm512_loadu_ps(ci + 16));
    }
    _mm512_storeu_ps(ci, c0[i]);
    _mm512_storeu_ps(ci + 16, c1[i]);
  }
}

}  // namespace sheaf
#endif
