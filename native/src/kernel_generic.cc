// Portable 4×16 micro-kernel in plain C++ (the compiler vectorises the j loop for the baseline
// ISA: SSE2 on x86-64, NEON on arm64). Used when neither AVX-512 nor AVX2+FMA is available.
#include "microkernels.h"

namespace sheaf {

void kernel_generic_4x16(long kc, const float* a, const float* b, float* c, long ldc, bool acc) {
  float t[4][16] = {};
  for (long k = 0; k < kc; k++) {
    for (int i = 0; i < 4; i++) {
      const float ai = a[i];
      for (int j = 0; j < 16; j++) t[i][j] += ai * b[j];
    }
    a += 4;
    b += 16;
  }
  for (int i = 0; i < 4; i++) {
    float* ci = c + i * ldc;
    if (acc)
      for (int j = 0; j < 16; j++) ci[j] += t[i][j];
    else
      for (int j = 0; j < 16; j++) ci[j] = t[i][j];
  }
}

}  // namespace sheaf
