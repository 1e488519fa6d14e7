// Runtime CPU dispatch for plain loops: on Linux x86-64 with GCC, each marked function is compiled
// once per ISA level and the loader picks the best clone for the CPU it runs on (ifunc). The
// binary itself is built for baseline x86-64, so it runs on any x86-64 CPU.
#pragma once
#if defined(__x86_64__) && defined(__linux__) && defined(__GNUC__) && !defined(__clang__)
#define SHEAF_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SHEAF_CLONES
#endif
