// Elementwise, reduction and copy kernels. The loops are written branch-free so that the
// compiler vectorises them; SHEAF_CLONES builds each one per ISA level with runtime selection.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "dispatch.h"
#include "kernels.h"

namespace sheaf {

namespace {

inline float bitsToFloat(int32_t i) {
  float f;
  std::memcpy(&f, &i, sizeof f);
  return f;
}

// exp(x) for x in [-87, 88]: x = n·ln2 + r with |r| ≤ ln2/2, e^r by its degree-7 Taylor
// polynomial (relative error < 1e-8 on that range), then scaled by 2^n through the exponent bits.
inline float expPoly(float x) {
  x = std::min(88.0f, std::max(-87.0f, x));
  const float n = std::floor(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;  // ln2 split in two for exactness
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  return p * bitsToFloat((static_cast<int32_t>(n) + 127) << 23);
}

// tanh: odd Taylor series up to x^17 for |x| < 0.55 (error < 1e-8 there), else 1 − 2/(e^{2|x|}+1).
inline float tanhPoly(float x) {
  const float ax = std::fabs(x);
  const float x2 = x * x;
  float p = 6404582.0f / 10854718875.0f;
  p = p * x2 - 929569.0f / 638512875.0f;
  p = p * x2 + 21844.0f / 6081075.0f;
  p = p * x2 - 1382.0f / 155925.0f;
  p = p * x2 + 62.0f / 2835.0f;
  p = p * x2 - 17.0f / 315.0f;
  p = p * x2 + 2.0f / 15.0f;
  p = p * x2 - 1.0f / 3.0f;
  const float small = x + x * x2 * p;
  const float e = expPoly(2.0f * std::min(ax, 9.0f));
  const float big = std::copysign(1.0f - 2.0f / (e + 1.0f), x);
  return ax < 0.55f ? small : big;
}

SHEAF_CLONES void tanhLoop(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] == x[i] ? tanhPoly(x[i]) : x[i];  // NaN passes through
}
SHEAF_CLONES void sigmoidLoop(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] == x[i] ? 1.0f / (1.0f + expPoly(-x[i])) : x[i];
}
SHEAF_CLONES void expLoop(const float* x, float* y, long n) {
  // Overflow gives +Inf as expf does; below -87 (results under 1.7e-38) flushes to 0.
  for (long i = 0; i < n; i++) {
    const float v = x[i];
    const float e = v > 88.7228f ? INFINITY : (v < -87.0f ? 0.0f : expPoly(v));
    y[i] = v == v ? e : v;
  }
}
SHEAF_CLONES void leakyLoop(const float* x, float* y, long n, float alpha) {
  for (long i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : alpha * x[i];
}
SHEAF_CLONES void reluLoop(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : 0.f;
}
SHEAF_CLONES void eluLoop(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : expPoly(x[i]) - 1.0f;
}

SHEAF_CLONES void tanhGradLoop(const float* y, const float* dy, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = dy[i] * (1.0f - y[i] * y[i]);
}
SHEAF_CLONES void sigmoidGradLoop(const float* y, const float* dy, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = dy[i] * (y[i] * (1.0f - y[i]));
}
SHEAF_CLONES void leakyGradLoop(const float* x, const float* dy, float* o, long n, float alpha) {
  for (long i = 0; i < n; i++) o[i] = x[i] > 0.f ? dy[i] : alpha * dy[i];
}
SHEAF_CLONES void reluGradLoop(const float* x, const float* dy, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = x[i] > 0.f ? dy[i] : 0.f;
}
SHEAF_CLONES void eluGradLoop(const float* y, const float* dy, float* o, long n) {
  // tfjs's EluGrad: dy where y > 0, else dy·(y + 1).
  for (long i = 0; i < n; i++) o[i] = y[i] > 0.f ? dy[i] : dy[i] * (y[i] + 1.0f);
}

SHEAF_CLONES void addInto(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] += x[i];
}
SHEAF_CLONES void maxInto(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] > y[i] ? x[i] : y[i];
}
SHEAF_CLONES void minInto(const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] = x[i] < y[i] ? x[i] : y[i];
}

// Reductions of contiguous runs: 16 independent partial sums so the loop vectorises without
// reassociation flags (the order differs from a serial sum by float rounding only).
SHEAF_CLONES float sumRun(const float* x, long n) {
  float acc[16] = {};
  long i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) acc[j] += x[i + j];
  float s = 0.f;
  for (int j = 0; j < 16; j++) s += acc[j];
  for (; i < n; i++) s += x[i];
  return s;
}

float extremeRun(const float* x, long n, bool isMax) {
  float m = x[0];
  for (long i = 1; i < n; i++) m = isMax ? (x[i] > m || std::isnan(x[i]) ? x[i] : m) : (x[i] < m || std::isnan(x[i]) ? x[i] : m);
  return m;
}

template <int OP>
inline float apply(float x, float y) {
  if (OP == B_ADD) return x + y;
  if (OP == B_SUB) return x - y;
  if (OP == B_MUL) return x * y;
  return x / y;
}

// Innermost runs of the broadcasting binary ops, by stride pattern.
template <int OP>
SHEAF_CLONES void runVV(const float* a, const float* b, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = apply<OP>(a[i], b[i]);
}
template <int OP>
SHEAF_CLONES void runVS(const float* a, float b, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = apply<OP>(a[i], b);
}
template <int OP>
SHEAF_CLONES void runSV(float a, const float* b, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = apply<OP>(a, b[i]);
}
template <int OP>
void runAny(const float* a, long sa, const float* b, long sb, float* o, long n) {
  for (long i = 0; i < n; i++) o[i] = apply<OP>(a[i * sa], b[i * sb]);
}

template <int OP>
void binaryLevel(const float* a, const float* b, float*& o, int rank, int level, const int32_t* sizes, const int32_t* sa,
                 const int32_t* sb) {
  const long n = sizes[level];
  if (level == rank - 1) {
    if (sa[level] == 1 && sb[level] == 1) runVV<OP>(a, b, o, n);
    else if (sa[level] == 1 && sb[level] == 0) runVS<OP>(a, b[0], o, n);
    else if (sa[level] == 0 && sb[level] == 1) runSV<OP>(a[0], b, o, n);
    else runAny<OP>(a, sa[level], b, sb[level], o, n);
    o += n;
    return;
  }
  for (long i = 0; i < n; i++) binaryLevel<OP>(a + i * sa[level], b + i * sb[level], o, rank, level + 1, sizes, sa, sb);
}

}  // namespace

void binary(int op, const float* a, const float* b, float* out, int rank, const int32_t* sizes, const int32_t* sa,
            const int32_t* sb) {
  if (rank == 0) {
    const int32_t one = 1, zero = 0;
    binary(op, a, b, out, 1, &one, &zero, &zero);
    return;
  }
  float* o = out;
  switch (op) {
    case B_ADD: return binaryLevel<B_ADD>(a, b, o, rank, 0, sizes, sa, sb);
    case B_SUB: return binaryLevel<B_SUB>(a, b, o, rank, 0, sizes, sa, sb);
    case B_MUL: return binaryLevel<B_MUL>(a, b, o, rank, 0, sizes, sa, sb);
    case B_DIV: return binaryLevel<B_DIV>(a, b, o, rank, 0, sizes, sa, sb);
  }
}

SHEAF_CLONES float dot(const float* a, const float* b, long n) {
  float acc[16] = {};
  long i = 0;
  for (; i + 16 <= n; i += 16)
    for (int j = 0; j < 16; j++) acc[j] += a[i + j] * b[i + j];
  float s = 0.f;
  for (int j = 0; j < 16; j++) s += acc[j];
  for (; i < n; i++) s += a[i] * b[i];
  return s;
}

SHEAF_CLONES void axpy(float alpha, const float* x, float* y, long n) {
  for (long i = 0; i < n; i++) y[i] += alpha * x[i];
}

void unary(int op, const float* x, float* y, long n, float alpha) {
  switch (op) {
    case U_TANH: return tanhLoop(x, y, n);
    case U_SIGMOID: return sigmoidLoop(x, y, n);
    case U_LEAKY_RELU: return leakyLoop(x, y, n, alpha);
    case U_RELU: return reluLoop(x, y, n);
    case U_ELU: return eluLoop(x, y, n);
    case U_EXP: return expLoop(x, y, n);
  }
}

void unary_grad(int op, const float* a, const float* dy, float* out, long n, float alpha) {
  switch (op) {
    case U_TANH: return tanhGradLoop(a, dy, out, n);
    case U_SIGMOID: return sigmoidGradLoop(a, dy, out, n);
    case U_LEAKY_RELU: return leakyGradLoop(a, dy, out, n, alpha);
    case U_RELU: return reluGradLoop(a, dy, out, n);
    case U_ELU: return eluGradLoop(a, dy, out, n);
  }
}

void reduce(int op, const float* x, float* out, long outer, long axis, long inner) {
  for (long o = 0; o < outer; o++) {
    const float* xo = x + o * axis * inner;
    float* oo = out + o * inner;
    if (inner == 1) {
      if (axis == 0) {
        oo[0] = op == R_SUM ? 0.f : (op == R_MAX ? -INFINITY : INFINITY);
      } else {
        oo[0] = op == R_SUM ? sumRun(xo, axis) : extremeRun(xo, axis, op == R_MAX);
      }
      continue;
    }
    if (axis == 0) {
      const float init = op == R_SUM ? 0.f : (op == R_MAX ? -INFINITY : INFINITY);
      for (long i = 0; i < inner; i++) oo[i] = init;
      continue;
    }
    std::memcpy(oo, xo, inner * sizeof(float));
    for (long a = 1; a < axis; a++) {
      const float* row = xo + a * inner;
      if (op == R_SUM) addInto(row, oo, inner);
      else if (op == R_MAX) maxInto(row, oo, inner);
      else minInto(row, oo, inner);
    }
  }
}

namespace {
void copyLevel(const uint8_t* src, uint8_t* dst, int eb, int rank, int level, const int32_t* sizes,
               const int32_t* ss, const int32_t* ds) {
  const long n = sizes[level];
  const long sStep = static_cast<long>(ss[level]) * eb;
  const long dStep = static_cast<long>(ds[level]) * eb;
  if (level == rank - 1) {
    if (ss[level] == 1 && ds[level] == 1) {
      std::memcpy(dst, src, n * eb);
    } else if (eb == 4) {
      for (long i = 0; i < n; i++) std::memcpy(dst + i * dStep, src + i * sStep, 4);
    } else {
      for (long i = 0; i < n; i++) std::memcpy(dst + i * dStep, src + i * sStep, eb);
    }
    return;
  }
  for (long i = 0; i < n; i++) copyLevel(src + i * sStep, dst + i * dStep, eb, rank, level + 1, sizes, ss, ds);
}
}  // namespace

void strided_copy(const uint8_t* src, uint8_t* dst, int elemBytes, int rank, const int32_t* sizes,
                  const int32_t* srcStrides, const int32_t* dstStrides) {
  if (rank == 0) {
    std::memcpy(dst, src, elemBytes);
    return;
  }
  for (int i = 0; i < rank; i++)
    if (sizes[i] == 0) return;
  copyLevel(src, dst, elemBytes, rank, 0, sizes, srcStrides, dstStrides);
}

long gather_rows(const uint8_t* x, const int32_t* idx, uint8_t* out, long rowBytes, long nIdx, long rows) {
  for (long i = 0; i < nIdx; i++) {
    const long r = idx[i];
    if (r < 0 || r >= rows) return i;
    std::memcpy(out + i * rowBytes, x + r * rowBytes, rowBytes);
  }
  return -1;
}

void segment_sum(const float* x, const int32_t* ids, float* out, long n, long inner, long numSegments) {
  std::memset(out, 0, numSegments * inner * sizeof(float));
  for (long i = 0; i < n; i++) {
    const long s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    addInto(x + i * inner, out + s * inner, inner);
  }
}

namespace {
SHEAF_CLONES void adamLoop(const float* __restrict__ p, const float* __restrict__ g, const float* __restrict__ m0,
                           const float* __restrict__ v0, float* __restrict__ po, float* __restrict__ mo,
                           float* __restrict__ vo, long n, float b1, float c1, float b2, float c2, float eps, float bc2,
                           float step, bool has) {
  for (long i = 0; i < n; i++) {
    const float gi = g[i];
    const float m = has ? m0[i] * b1 + gi * c1 : gi * c1;
    const float v = has ? v0[i] * b2 + (gi * gi) * c2 : (gi * gi) * c2;
    const float denom = std::sqrt(v) / bc2 + eps;
    mo[i] = m;
    vo[i] = v;
    po[i] = p[i] + (m / denom) * step;
  }
}
SHEAF_CLONES void rmspropLoop(const float* __restrict__ p, const float* __restrict__ g, const float* __restrict__ s0,
                              float* __restrict__ po, float* __restrict__ so, long n, float alpha, float c, float eps,
                              float negLr, bool has) {
  for (long i = 0; i < n; i++) {
    const float gi = g[i];
    const float sq = has ? s0[i] * alpha + (gi * gi) * c : (gi * gi) * c;
    so[i] = sq;
    po[i] = p[i] + (gi / (std::sqrt(sq) + eps)) * negLr;
  }
}
}  // namespace

void optimizer_step(int kind, const float* p, const float* g, const float* s1, const float* s2, float* po, float* s1o,
                    float* s2o, long n, const double* h) {
  const auto f = [&](int i) { return static_cast<float>(h[i]); };
  if (kind == 0) {
    adamLoop(p, g, s1, s2, po, s1o, s2o, n, f(0), f(1), f(2), f(3), f(4), f(5), f(6), s1 != nullptr && s2 != nullptr);
  } else {
    rmspropLoop(p, g, s1, po, s1o, n, f(0), f(1), f(2), f(3), s1 != nullptr);
  }
}

}  // namespace sheaf
