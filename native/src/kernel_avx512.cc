// AVX-512 micro-kernels (MR×32: 2·MR zmm accumulators, two B loads and MR A broadcasts per k).
// Edge tiles are handled in the kernel: rows ≥ mr are computed on zero padding and not stored;
// columns ≥ nr are masked off on load and store. Only these functions are compiled for AVX-512
// (target attribute); gemm.cc calls them only after a runtime CPU check.
#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#include "microkernels.h"

namespace sheaf {

template <int MR>
__attribute__((target("avx512f,fma"))) static inline void kernelAvx512(long kc, const float* a, const float* b, float* c,
                                                                       long ldc, bool acc, int mr, int nr) {
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    c0[i] = _mm512_setzero_ps();
    c1[i] = _mm512_setzero_ps();
  }
  // Fetch the C tile early: its rows are read at the end and are usually not in cache.
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
    }
  }
#pragma GCC unroll 2
  for (long k = 0; k < kc; k++) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 512), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(a[i]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
    a += MR;
    b += 32;
  }
  const __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
  const __mmask16 m1 = nr >= 32 ? static_cast<__mmask16>(0xFFFF) : nr <= 16 ? 0 : static_cast<__mmask16>((1u << (nr - 16)) - 1);
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    if (i >= mr) break;
    float* ci = c + i * ldc;
    if (acc) {
      c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, ci));
      c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, m0, c0[i]);
    _mm512_mask_storeu_ps(ci + 16, m1, c1[i]);
  }
}

// The same tile reading A in place (row-major, row stride lda) instead of from a packed panel:
// rows ≥ mr repeat row mr−1 (computed, never stored), so nothing past the matrix is read.
template <int MR>
__attribute__((target("avx512f,fma"))) static inline void kernelAvx512Rows(long kc, const float* A, long lda,
                                                                           const float* b, float* c, long ldc, bool acc,
                                                                           int mr, int nr) {
  const float* r[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) r[i] = A + (i < mr ? i : mr - 1) * lda;
  __m512 c0[MR], c1[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    c0[i] = _mm512_setzero_ps();
    c1[i] = _mm512_setzero_ps();
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    if (i < mr) {
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(c + i * ldc + 16), _MM_HINT_T0);
    }
  }
#pragma GCC unroll 2
  for (long k = 0; k < kc; k++) {
    _mm_prefetch(reinterpret_cast<const char*>(b + 512), _MM_HINT_T0);
    const __m512 b0 = _mm512_loadu_ps(b);
    const __m512 b1 = _mm512_loadu_ps(b + 16);
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const __m512 ai = _mm512_set1_ps(r[i][k]);
      c0[i] = _mm512_fmadd_ps(ai, b0, c0[i]);
      c1[i] = _mm512_fmadd_ps(ai, b1, c1[i]);
    }
    b += 32;
  }
  const __mmask16 m0 = nr >= 16 ? static_cast<__mmask16>(0xFFFF) : static_cast<__mmask16>((1u << nr) - 1);
  const __mmask16 m1 = nr >= 32 ? static_cast<__mmask16>(0xFFFF) : nr <= 16 ? 0 : static_cast<__mmask16>((1u << (nr - 16)) - 1);
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++) {
    if (i >= mr) break;
    float* ci = c + i * ldc;
    if (acc) {
      c0[i] = _mm512_add_ps(c0[i], _mm512_maskz_loadu_ps(m0, ci));
      c1[i] = _mm512_add_ps(c1[i], _mm512_maskz_loadu_ps(m1, ci + 16));
    }
    _mm512_mask_storeu_ps(ci, m0, c0[i]);
    _mm512_mask_storeu_ps(ci + 16, m1, c1[i]);
  }
}

void kernel_avx512_8x32_rows(long kc, const float* A, long lda, const float* b, float* c, long ldc, bool acc, int mr,
                             int nr) {
  kernelAvx512Rows<8>(kc, A, lda, b, c, ldc, acc, mr, nr);
}

void kernel_avx512_8x32(long kc, const float* a, const float* b, float* c, long ldc, bool acc, int mr, int nr) {
  kernelAvx512<8>(kc, a, b, c, ldc, acc, mr, nr);
}
void kernel_avx512_12x32(long kc, const float* a, const float* b, float* c, long ldc, bool acc, int mr, int nr) {
  kernelAvx512<12>(kc, a, b, c, ldc, acc, mr, nr);
}

}  // namespace sheaf
#endif
