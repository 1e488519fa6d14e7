// GEMM micro-kernels: C[MR,NR] (+)= Apanel[kc,MR]ᵀ · Bpanel[kc,NR], panels packed k-major
// (a[k*MR + i], b[k*NR + j]). `acc` adds to C instead of overwriting it.
#pragma once
namespace sheaf {
typedef void (*MicroKernel)(long kc, const float* a, const float* b, float* c, long ldc, bool acc);
// Kernels that store only the top-left mr×nr part of their tile themselves (no scratch tile).
typedef void (*EdgeKernel)(long kc, const float* a, const float* b, float* c, long ldc, bool acc, int mr, int nr);
// Kernels that read a row-major A in place (no packing of A).
typedef void (*RowsKernel)(long kc, const float* A, long lda, const float* b, float* c, long ldc, bool acc, int mr, int nr);
void kernel_generic_4x16(long kc, const float* a, const float* b, float* c, long ldc, bool acc);
#if defined(__x86_64__) || defined(_M_X64)
void kernel_avx2_6x16(long kc, const float* a, const float* b, float* c, long ldc, bool acc);
void kernel_avx512_8x32(long kc, const float* a, const float* b, float* c, long ldc, bool acc, int mr, int nr);
void kernel_avx512_8x32_rows(long kc, const float* A, long lda, const float* b, float* c, long ldc, bool acc, int mr, int nr);
void kernel_avx512_12x32(long kc, const float* a, const float* b, float* c, long ldc, bool acc, int mr, int nr);
#endif
}  // namespace sheaf
