// A whole GRU layer (PyTorch semantics: gates r, z, n; reset applied after the hidden product)
// as one forward and one backward kernel. Per step the forward runs one GEMM (h·W_hhᵀ) and one
// fused gate pass; the backward runs BPTT with one GEMM per step for dh and a single GEMM over
// all steps for dW_hh, instead of ~45 separately dispatched tfjs ops per step.
#include <algorithm>
#include <cstring>
#include <vector>

#include "dispatch.h"
#include "kernels.h"

namespace sheaf {

namespace {

inline float expClamped(float x) {
  // Same polynomial exp as elementwise.cc (kept local so this file vectorises on its own).
  x = std::min(88.0f, std::max(-87.0f, x));
  const float n = __builtin_floorf(x * 1.44269504088896341f + 0.5f);
  const float r = (x - n * 0.693359375f) + n * 2.12194440e-4f;
  float p = 1.0f / 5040.0f;
  p = p * r + 1.0f / 720.0f;
  p = p * r + 1.0f / 120.0f;
  p = p * r + 1.0f / 24.0f;
  p = p * r + 1.0f / 6.0f;
  p = p * r + 0.5f;
  p = p * r + 1.0f;
  p = p * r + 1.0f;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof scale);
  return p * scale;
}
inline float sigm(float x) { return 1.0f / (1.0f + expClamped(-x)); }
inline float tanhf_(float x) {
  const float ax = x < 0 ? -x : x;
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
  const float e = expClamped(2.0f * std::min(ax, 9.0f));
  const float big = 1.0f - 2.0f / (e + 1.0f);
  return ax < 0.55f ? small : (x < 0 ? -big : big);
}

// One row of the forward gates. gi: x-projection (r|z|n, includes b_ih); gh: h·W_hhᵀ (no bias).
SHEAF_CLONES void gatesRow(long H, const float* __restrict__ gi, const float* __restrict__ gh, const float* __restrict__ bhh,
                           const float* __restrict__ hp, float* __restrict__ h, float* __restrict__ g) {
  for (long j = 0; j < H; j++) {
    const float r = sigm(gi[j] + gh[j] + bhh[j]);
    const float z = sigm(gi[H + j] + gh[H + j] + bhh[H + j]);
    const float ghn = gh[2 * H + j] + bhh[2 * H + j];
    const float n = tanhf_(gi[2 * H + j] + r * ghn);
    h[j] = (1.0f - z) * n + z * hp[j];
    g[j] = r;
    g[H + j] = z;
    g[2 * H + j] = n;
    g[3 * H + j] = ghn;
  }
}

// One row of the backward gates: dht = dh_t (incl. the carry), writes dgi (r|z|n), dgh (r|z|n)
// and the direct carry dht·z.
SHEAF_CLONES void gatesGradRow(long H, const float* __restrict__ dy, const float* __restrict__ carry, const float* __restrict__ g,
                               const float* __restrict__ hp, float* __restrict__ dgi, float* __restrict__ dgh,
                               float* __restrict__ direct) {
  for (long j = 0; j < H; j++) {
    const float dht = dy[j] + carry[j];
    const float r = g[j], z = g[H + j], n = g[2 * H + j], ghn = g[3 * H + j];
    const float dn = dht * (1.0f - z);
    const float dz = dht * (hp[j] - n);
    const float dnp = dn * (1.0f - n * n);
    const float drp = dnp * ghn * (r * (1.0f - r));
    const float dzp = dz * (z * (1.0f - z));
    dgi[j] = drp;
    dgi[H + j] = dzp;
    dgi[2 * H + j] = dnp;
    dgh[j] = drp;
    dgh[H + j] = dzp;
    dgh[2 * H + j] = dnp * r;
    direct[j] = dht * z;
  }
}

thread_local std::vector<float> tl_a, tl_b, tl_c, tl_w;
float* scratch(std::vector<float>& v, size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

}  // namespace

void gru_forward(long B, long T, long H, const float* xp, const float* whh, const float* bhh, const float* h0, float* hs,
                 float* gates, int threads) {
  const long G = 3 * H;
  float* gh = scratch(tl_a, static_cast<size_t>(B * G));
  // W_hhᵀ is packed once for all T steps (with threads > 1 the per-step GEMMs split instead).
  float* wp = threads > 1 ? nullptr : scratch(tl_w, gemm_packed_b_size(H, G));
  if (wp) gemm_pack_b(whh, H, true, H, G, wp);
  for (long t = 0; t < T; t++) {
    const float* hp = t == 0 ? h0 : hs + (t - 1) * H;
    const long ldh = t == 0 ? H : T * H;
    if (wp) gemm_prepacked(hp, ldh, false, wp, gh, G, B, G, H);
    else gemm(hp, ldh, false, whh, H, true, gh, G, B, G, H, threads);
    for (long b = 0; b < B; b++) {
      gatesRow(H, xp + (b * T + t) * G, gh + b * G, bhh, hp + b * ldh, hs + (b * T + t) * H, gates + (b * T + t) * 4 * H);
    }
  }
}

void gru_backward(long B, long T, long H, const float* dy, const float* gates, const float* hs, const float* h0,
                  const float* whh, float* dxp, float* dwhh, float* dbhh, float* dh0, int threads) {
  const long G = 3 * H;
  float* dgh = scratch(tl_a, static_cast<size_t>(B * T * G));  // [B, T, 3H], rows b*T + t
  float* carry = scratch(tl_b, static_cast<size_t>(2 * B * H));
  float* direct = carry + B * H;
  float* hprev = scratch(tl_c, static_cast<size_t>(B * T * H));  // h_{t-1} in the same row order
  std::memset(carry, 0, B * H * sizeof(float));
  float* wp = threads > 1 ? nullptr : scratch(tl_w, gemm_packed_b_size(G, H));
  if (wp) gemm_pack_b(whh, H, false, G, H, wp);
  for (long t = T - 1; t >= 0; t--) {
    for (long b = 0; b < B; b++) {
      const long row = b * T + t;
      const float* hp = t == 0 ? h0 + b * H : hs + (row - 1) * H;
      gatesGradRow(H, dy + row * H, carry + b * H, gates + row * 4 * H, hp, dxp + row * G, dgh + row * G, direct + b * H);
    }
    // carry = direct + dgh_t · W_hh   (dgh_t rows are strided by T·3H)
    if (wp) gemm_prepacked(dgh + t * G, T * G, false, wp, carry, H, B, H, G);
    else gemm(dgh + t * G, T * G, false, whh, H, false, carry, H, B, H, G, threads);
    for (long i = 0; i < B * H; i++) carry[i] += direct[i];
  }
  std::memcpy(dh0, carry, B * H * sizeof(float));
  for (long b = 0; b < B; b++) {
    std::memcpy(hprev + b * T * H, h0 + b * H, H * sizeof(float));
    std::memcpy(hprev + (b * T + 1) * H, hs + b * T * H, (T - 1) * H * sizeof(float));
  }
  // dW_hh = Σ_t dgh_tᵀ h_{t-1}: one product over all B·T rows; db_hh = column sums of dgh.
  gemm(dgh, G, true, hprev, H, false, dwhh, H, G, H, B * T, threads);
  reduce(R_SUM, dgh, dbhh, 1, B * T, G);
}

}  // namespace sheaf
