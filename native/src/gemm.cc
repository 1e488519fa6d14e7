// Packed GEMM driver (Goto/BLIS loop order): B is packed per KC×NC panel and A per MC×KC block,
// into k-major micro-panels, reading either operand transposed or not while packing, so no
// transpose is ever materialised. The micro-kernel is chosen at run time from the CPU's features.
#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "kernels.h"
#include "microkernels.h"

namespace sheaf {

namespace {

struct Arch {
  const char* name;
  int mr, nr;
  MicroKernel kernel;
  EdgeKernel edge;  // when set, used for every tile (it masks partial tiles itself)
  RowsKernel rows;  // when set, used for untransposed A (read in place, not packed)
};

const Arch kGeneric = {"generic", 4, 16, kernel_generic_4x16, nullptr, nullptr};
#if defined(__x86_64__) || defined(_M_X64)
const Arch kAvx2 = {"avx2", 6, 16, kernel_avx2_6x16, nullptr, nullptr};
const Arch kAvx512 = {"avx512", 8, 32, nullptr, kernel_avx512_8x32, kernel_avx512_8x32_rows};
const Arch kAvx512w = {"avx512-12", 12, 32, nullptr, kernel_avx512_12x32, nullptr};
#endif

bool supports(const char* name) {
  if (std::strcmp(name, "generic") == 0) return true;
#if defined(__x86_64__) && defined(__GNUC__)
  __builtin_cpu_init();
  if (std::strcmp(name, "avx2") == 0) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (std::strncmp(name, "avx512", 6) == 0) return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
#endif
  return false;
}

const Arch* pick() {
#if defined(__x86_64__) || defined(_M_X64)
  if (supports("avx512")) return &kAvx512;
  if (supports("avx2")) return &kAvx2;
#endif
  return &kGeneric;
}

const Arch* g_arch = pick();

// Blocking: a KC×NR B micro-panel stays in L1, an MC×KC A block in L2, the KC×NC B panel in L3.
// Tuned on the project VM (Xeon, 48 KB L1D, 2 MB L2): 146-155 GFLOP/s at 512-1024.
constexpr long KC = 384;
constexpr long NC = 3072;
long mcFor(int mr) { return mr * 8; }

// Per-thread packing buffers, grown on demand and kept (allocating per call costs more than small products).
struct Buffers {
  float* a = nullptr;
  float* b = nullptr;
  size_t na = 0, nb = 0;
  float* getA(size_t n) { return grow(a, na, n); }
  float* getB(size_t n) { return grow(b, nb, n); }
  static float* grow(float*& p, size_t& have, size_t n) {
    if (n > have) {
      std::free(p);
      // 64-byte alignment for full-width vector loads; the size must be a multiple of it.
      p = static_cast<float*>(std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64));
      have = n;
    }
    return p;
  }
};
thread_local Buffers tl_buf;

// Pack rows [i0, i0+mc) × cols [p0, p0+kc) of op(A) into micro-panels of MR rows, zero-padded.
void packA(const float* A, long lda, bool tA, long i0, long p0, long mc, long kc, int MR, float* dst) {
  for (long ir = 0; ir < mc; ir += MR) {
    const long mr = std::min<long>(MR, mc - ir);
    float* d = dst + ir * kc;
    if (tA) {
      // op(A)(i, p) = A[p, i]: a row of the stored matrix is contiguous in i.
      for (long k = 0; k < kc; k++) {
        const float* s = A + (p0 + k) * lda + i0 + ir;
        float* dk = d + k * MR;
        long i = 0;
        for (; i < mr; i++) dk[i] = s[i];
        for (; i < MR; i++) dk[i] = 0.f;
      }
    } else {
      // k outer, rows inner: MR sequential read streams, contiguous writes.
      const float* rows[16];
      for (long i = 0; i < MR; i++) rows[i] = A + (i0 + ir + std::min<long>(i, mr - 1)) * lda + p0;
      for (long k = 0; k < kc; k++) {
        float* dk = d + k * MR;
        for (long i = 0; i < MR; i++) dk[i] = i < mr ? rows[i][k] : 0.f;
      }
    }
  }
}

// Pack rows [p0, p0+kc) × cols [j0, j0+nc) of op(B) into micro-panels of NR columns, zero-padded.
void packB(const float* B, long ldb, bool tB, long p0, long j0, long kc, long nc, int NR, float* dst) {
  for (long jr = 0; jr < nc; jr += NR) {
    const long nr = std::min<long>(NR, nc - jr);
    float* d = dst + jr * kc;
    if (tB) {
      // op(B)(p, j) = B[j, p]: k outer, columns inner (NR sequential read streams, contiguous writes).
      const float* cols[32];
      for (long j = 0; j < NR; j++) cols[j] = B + (j0 + jr + std::min<long>(j, nr - 1)) * ldb + p0;
      for (long k = 0; k < kc; k++) {
        float* dk = d + k * NR;
        for (long j = 0; j < NR; j++) dk[j] = j < nr ? cols[j][k] : 0.f;
      }
    } else {
      for (long k = 0; k < kc; k++) {
        const float* s = B + (p0 + k) * ldb + j0 + jr;
        float* dk = d + k * NR;
        std::memcpy(dk, s, nr * sizeof(float));
        for (long j = nr; j < NR; j++) dk[j] = 0.f;
      }
    }
  }
}

// `prepacked`: op(B) already packed by gemm_pack_b (blocks in this loop's jc, pc order), or null.
void gemmPacked(const Arch& ar, const float* A, long lda, bool tA, const float* B, long ldb, bool tB, float* C,
                long ldc, long M, long N, long K, const float* prepacked = nullptr) {
  const int MR = ar.mr, NR = ar.nr;
  const long MC = mcFor(MR);
  const long ncMax = std::min(NC, ((N + NR - 1) / NR) * NR);
  const long kcMax = std::min(KC, K);
  float* bufB = tl_buf.getB(static_cast<size_t>(kcMax * ncMax));
  float* bufA = tl_buf.getA(static_cast<size_t>(kcMax * MC));
  alignas(64) float tmp[12 * 32];
  for (long jc = 0; jc < N; jc += NC) {
    const long nc = std::min(NC, N - jc);
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = std::min(KC, K - pc);
      const bool acc = pc > 0;
      if (prepacked) {
        bufB = const_cast<float*>(prepacked);
        prepacked += kc * (((nc + NR - 1) / NR) * NR);
      } else {
        packB(B, ldb, tB, pc, jc, kc, nc, NR, bufB);
      }
      for (long ic = 0; ic < M; ic += MC) {
        const long mc = std::min(MC, M - ic);
        const bool direct = !tA && ar.rows != nullptr;
        if (!direct) packA(A, lda, tA, ic, pc, mc, kc, MR, bufA);
        for (long jr = 0; jr < nc; jr += NR) {
          const long nr = std::min<long>(NR, nc - jr);
          const float* bp = bufB + jr * kc;
          for (long ir = 0; ir < mc; ir += MR) {
            const long mr = std::min<long>(MR, mc - ir);
            float* cp = C + (ic + ir) * ldc + jc + jr;
            const float* ap = bufA + ir * kc;
            if (direct) {
              ar.rows(kc, A + (ic + ir) * lda + pc, lda, bp, cp, ldc, acc, static_cast<int>(mr), static_cast<int>(nr));
            } else if (ar.edge) {
              ar.edge(kc, ap, bp, cp, ldc, acc, static_cast<int>(mr), static_cast<int>(nr));
            } else if (mr == MR && nr == NR) {
              ar.kernel(kc, ap, bp, cp, ldc, acc);
            } else {
              // Edge tile: compute the full tile into a scratch tile, then keep the valid part.
              ar.kernel(kc, ap, bp, tmp, NR, false);
              for (long i = 0; i < mr; i++)
                for (long j = 0; j < nr; j++) cp[i * ldc + j] = (acc ? cp[i * ldc + j] : 0.f) + tmp[i * NR + j];
            }
          }
        }
      }
    }
  }
}

// Matrix-vector shapes (N = 1 or M = 1): a packed tile would waste up to NR-1 of NR lanes.
bool gemv(const float* A, long lda, bool tA, const float* B, long ldb, bool tB, float* C, long ldc, long M, long N,
          long K) {
  if (N == 1) {
    // op(B) is a K-vector, contiguous whether transposed ([1,K]) or not ([K,1]).
    if (!tA) {
      for (long i = 0; i < M; i++) C[i * ldc] = dot(A + i * lda, B, K);
    } else {
      if (ldc != 1) return false;
      std::memset(C, 0, M * sizeof(float));
      for (long p = 0; p < K; p++) axpy(B[p], A + p * lda, C, M);
    }
    return true;
  }
  if (M == 1) {
    // op(A) is a K-vector, contiguous either way.
    if (!tB) {
      std::memset(C, 0, N * sizeof(float));
      for (long p = 0; p < K; p++) axpy(A[p], B + p * ldb, C, N);
    } else {
      for (long j = 0; j < N; j++) C[j] = dot(B + j * ldb, A, K);
    }
    return true;
  }
  return false;
}

void gemm1(const float* A, long lda, bool tA, const float* B, long ldb, bool tB, float* C, long ldc, long M, long N,
           long K) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (long i = 0; i < M; i++) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  if (gemv(A, lda, tA, B, ldb, tB, C, ldc, M, N, K)) return;
  if (K == 1) {
    // Outer product: row i of C is A(i, 0) times op(B)'s one row (contiguous in either layout).
    for (long i = 0; i < M; i++) {
      float* ci = C + i * ldc;
      std::memset(ci, 0, N * sizeof(float));
      axpy(tA ? A[i] : A[i * lda], B, ci, N);
    }
    return;
  }
  gemmPacked(*g_arch, A, lda, tA, B, ldb, tB, C, ldc, M, N, K);
}

// One persistent helper thread for 2-way splits; created on first use and never destroyed (a
// joinable thread in a static destructor would abort the process at exit).
class Helper {
 public:
  void run(std::function<void()> job) {
    {
      std::lock_guard<std::mutex> lk(m_);
      job_ = std::move(job);
      pending_ = true;
    }
    cv_.notify_one();
  }
  void wait() {
    std::unique_lock<std::mutex> lk(m_);
    done_cv_.wait(lk, [this] { return !pending_; });
  }
  static Helper& get() {
    static Helper* h = [] {
      Helper* p = new Helper();
      std::thread([p] { p->loop(); }).detach();
      return p;
    }();
    return *h;
  }

 private:
  void loop() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock<std::mutex> lk(m_);
        cv_.wait(lk, [this] { return pending_ && job_; });
        job = std::move(job_);
        job_ = nullptr;
      }
      job();
      {
        std::lock_guard<std::mutex> lk(m_);
        pending_ = false;
      }
      done_cv_.notify_one();
    }
  }
  std::mutex m_;
  std::condition_variable cv_, done_cv_;
  std::function<void()> job_;
  bool pending_ = false;
};

// Below this many multiply-adds a thread hand-off costs more than it saves.
constexpr double kSplitMinWork = 4.0e6;

}  // namespace

void gemm(const float* A, long lda, bool tA, const float* B, long ldb, bool tB, float* C, long ldc, long M, long N,
          long K, int threads) {
  const double work = static_cast<double>(M) * N * K;
  const int MR = g_arch->mr, NR = g_arch->nr;
  if (threads < 2 || work < kSplitMinWork || (M < 2 * MR && N < 2 * NR)) {
    gemm1(A, lda, tA, B, ldb, tB, C, ldc, M, N, K);
    return;
  }
  // Split the larger of M and N at a tile boundary; each half packs its own operands.
  Helper& h = Helper::get();
  if (N >= M && N >= 2 * NR) {
    const long n0 = ((N / 2 + NR - 1) / NR) * NR;
    const float* B1 = tB ? B + n0 * ldb : B + n0;
    h.run([=] { gemm1(A, lda, tA, B1, ldb, tB, C + n0, ldc, M, N - n0, K); });
    gemm1(A, lda, tA, B, ldb, tB, C, ldc, M, n0, K);
  } else {
    const long m0 = ((M / 2 + MR - 1) / MR) * MR;
    const float* A1 = tA ? A + m0 : A + m0 * lda;
    h.run([=] { gemm1(A1, lda, tA, B, ldb, tB, C + m0 * ldc, ldc, M - m0, N, K); });
    gemm1(A, lda, tA, B, ldb, tB, C, ldc, m0, N, K);
  }
  h.wait();
}

size_t gemm_packed_b_size(long K, long N) {
  const long NR = g_arch->nr;
  size_t total = 0;
  for (long jc = 0; jc < N; jc += NC) total += static_cast<size_t>(K) * (((std::min(NC, N - jc) + NR - 1) / NR) * NR);
  return total;
}

void gemm_pack_b(const float* B, long ldb, bool tB, long K, long N, float* dst) {
  const int NR = g_arch->nr;
  for (long jc = 0; jc < N; jc += NC) {
    const long nc = std::min(NC, N - jc);
    for (long pc = 0; pc < K; pc += KC) {
      const long kc = std::min(KC, K - pc);
      packB(B, ldb, tB, pc, jc, kc, nc, NR, dst);
      dst += kc * (((nc + NR - 1) / NR) * NR);
    }
  }
}

void gemm_prepacked(const float* A, long lda, bool tA, const float* packedB, float* C, long ldc, long M, long N, long K) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    for (long i = 0; i < M; i++) std::memset(C + i * ldc, 0, N * sizeof(float));
    return;
  }
  gemmPacked(*g_arch, A, lda, tA, nullptr, 0, false, C, ldc, M, N, K, packedB);
}

ArchInfo gemm_arch() { return {g_arch->name, g_arch->mr, g_arch->nr}; }

bool gemm_set_arch(const char* name) {
  if (!supports(name)) return false;
#if defined(__x86_64__) || defined(_M_X64)
  if (std::strcmp(name, "avx512") == 0) g_arch = &kAvx512;
  if (std::strcmp(name, "avx512-12") == 0) g_arch = &kAvx512w;
  if (std::strcmp(name, "avx2") == 0) g_arch = &kAvx2;
#endif
  if (std::strcmp(name, "generic") == 0) g_arch = &kGeneric;
  return true;
}

}  // namespace sheaf
