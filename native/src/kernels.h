// Sheaf native kernel pack: CPU kernels that work in place on float32 buffers (in practice the
// tfjs WASM heap, see src/node/native/). Every entry point is plain C++ with no Node types, so it
// can be unit-tested from a C++ driver as well.
#pragma once
#include <cstdint>
#include <cstddef>

namespace sheaf {

// Row-major C[M,N] = op(A)[M,K] · op(B)[K,N], where op transposes when tA / tB is set. lda, ldb and
// ldc are row strides of the stored matrices (A stored [M,K] or, transposed, [K,M]).
void gemm(const float* A, long lda, bool tA, const float* B, long ldb, bool tB, float* C, long ldc,
          long M, long N, long K, int threads);

// A B operand packed once for many products with the same B (a GRU's W_hh at every step):
// gemm_pack_b fills gemm_packed_b_size(K, N) floats; gemm_prepacked is gemm with that B (1 thread).
// The packing depends on the micro-kernel family: pack and use under the same gemm_arch().
size_t gemm_packed_b_size(long K, long N);
void gemm_pack_b(const float* B, long ldb, bool tB, long K, long N, float* dst);
void gemm_prepacked(const float* A, long lda, bool tA, const float* packedB, float* C, long ldc, long M, long N, long K);

// The micro-kernel family in use ("avx512" 8×32, "avx512-12" 12×32, "avx2", "generic") and its tile.
struct ArchInfo {
  const char* name;
  int mr;
  int nr;
};
ArchInfo gemm_arch();
// Force a micro-kernel family (tests use it to check every path on one machine). Returns false
// when the CPU does not support it; the current choice is then kept.
bool gemm_set_arch(const char* name);

// Elementwise kernels. Unary ops: y = f(x).
enum UnaryOp { U_TANH = 0, U_SIGMOID = 1, U_LEAKY_RELU = 2, U_RELU = 3, U_ELU = 4, U_EXP = 5 };
void unary(int op, const float* x, float* y, long n, float alpha);
// Gradient ops: out = dy · f'(·), where `a` is the forward output y (tanh, sigmoid, elu) or the
// input x (leaky relu, relu).
void unary_grad(int op, const float* a, const float* dy, float* out, long n, float alpha);

// Broadcasting binary ops: out = a op b over `rank` dims of `sizes`, with element strides of a
// and b per dim (0 where that operand is broadcast); out is contiguous.
enum BinaryOp { B_ADD = 0, B_SUB = 1, B_MUL = 2, B_DIV = 3 };
void binary(int op, const float* a, const float* b, float* out, int rank, const int32_t* sizes, const int32_t* sa,
            const int32_t* sb);

// Reduce the middle axis of a [outer, axis, inner] array: out[o, i] = reduce_a x[o, a, i].
enum ReduceOp { R_SUM = 0, R_MAX = 1, R_MIN = 2 };
void reduce(int op, const float* x, float* out, long outer, long axis, long inner);

// Strided copy of an N-d block into `dst`; strides in elements (0 allowed: broadcast / tile).
void strided_copy(const uint8_t* src, uint8_t* dst, int elemBytes, int rank, const int32_t* sizes,
                  const int32_t* srcStrides, const int32_t* dstStrides);

// out[i, :] = x[idx[i], :]. Returns -1, or the position of the first out-of-range index.
long gather_rows(const uint8_t* x, const int32_t* idx, uint8_t* out, long rowBytes, long nIdx, long rows);
// out[ids[i], :] += x[i, :] (out zeroed first); ids outside [0, numSegments) are dropped.
void segment_sum(const float* x, const int32_t* ids, float* out, long n, long inner, long numSegments);

// A GRU layer over [B, T] (PyTorch gate order r, z, n). xp: [B, T, 3H] input projection incl.
// b_ih; whh: [3H, H]; bhh: [3H]; h0: [B, H]. Forward writes hs [B, T, H] and the saved gates
// [B, T, 4H] (r, z, n, W_hn·h + b_hn). Backward takes dy = dL/dhs and writes dxp [B, T, 3H],
// dwhh [3H, H], dbhh [3H] and dh0 [B, H].
void gru_forward(long B, long T, long H, const float* xp, const float* whh, const float* bhh, const float* h0, float* hs,
                 float* gates, int threads);
void gru_backward(long B, long T, long H, const float* dy, const float* gates, const float* hs, const float* h0,
                  const float* whh, float* dxp, float* dwhh, float* dbhh, float* dh0, int threads);

// One optimizer update of n parameters, the arithmetic of src/train/optimizers.ts in float32.
// Adam (kind 0): h = {b1, 1-b1, b2, 1-b2, eps, sqrt(bias correction 2), -lr/bias correction 1};
// s1/s2 = exp_avg/exp_avg_sq (null on the first step). RMSprop (kind 1): h = {alpha, 1-alpha, eps,
// -lr}; s1 = square_avg (null on the first step). Writes the new parameter and slot values.
void optimizer_step(int kind, const float* p, const float* g, const float* s1, const float* s2, float* po, float* s1o,
                    float* s2o, long n, const double* h);

// Vector helpers shared by the GEMM driver (GEMV shapes) and the reductions.
float dot(const float* a, const float* b, long n);
void axpy(float alpha, const float* x, float* y, long n);  // y += alpha · x

}  // namespace sheaf
