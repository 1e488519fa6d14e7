// N-API surface of the kernel pack. Every call names its operands as byte offsets into one
// ArrayBuffer view (the tfjs WASM heap, `HEAPU8`), which is re-read on every call because heap
// growth replaces the buffer. Nothing is copied in or out.
#include <node_api.h>

#include <cstdint>
#include <cstring>

#include "kernels.h"

namespace {

#define CHECK(call)                                          \
  do {                                                       \
    if ((call) != napi_ok) {                                 \
      napi_throw_error(env, nullptr, "sheaf-native: " #call); \
      return nullptr;                                        \
    }                                                        \
  } while (0)

constexpr size_t kMaxArgs = 16;

struct Args {
  napi_env env;
  napi_value v[kMaxArgs];
  size_t n = kMaxArgs;
  uint8_t* heap = nullptr;
  size_t heapLen = 0;
  bool ok = true;

  Args(napi_env e, napi_callback_info info, bool withHeap = true) : env(e) {
    if (napi_get_cb_info(env, info, &n, v, nullptr, nullptr) != napi_ok) {
      fail("bad arguments");
      return;
    }
    if (!withHeap) return;
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t off;
    if (n < 1 || napi_get_typedarray_info(env, v[0], &type, &length, &data, &ab, &off) != napi_ok) {
      fail("first argument must be a typed array view of the heap");
      return;
    }
    heap = static_cast<uint8_t*>(data);
    heapLen = length;
  }
  void fail(const char* msg) {
    if (ok) napi_throw_error(env, nullptr, msg);
    ok = false;
  }
  double num(size_t i) {
    double d = 0;
    if (i >= n || napi_get_value_double(env, v[i], &d) != napi_ok) fail("expected a number argument");
    return d;
  }
  long i64(size_t i) { return static_cast<long>(num(i)); }
  bool flag(size_t i) {
    bool b = false;
    if (i >= n || napi_get_value_bool(env, v[i], &b) != napi_ok) fail("expected a boolean argument");
    return b;
  }
  // A pointer `bytes` long at byte offset argument i, bounds-checked against the heap.
  uint8_t* ptr(size_t i, double bytes) {
    const double off = num(i);
    if (!ok) return nullptr;
    if (off < 0 || off + bytes > static_cast<double>(heapLen)) {
      fail("operand outside the heap");
      return nullptr;
    }
    return heap + static_cast<size_t>(off);
  }
  const int32_t* ints(size_t i, size_t need) {
    napi_typedarray_type type;
    size_t length;
    void* data;
    napi_value ab;
    size_t off;
    if (i >= n || napi_get_typedarray_info(env, v[i], &type, &length, &data, &ab, &off) != napi_ok ||
        type != napi_int32_array || length < need) {
      fail("expected an Int32Array argument");
      return nullptr;
    }
    return static_cast<const int32_t*>(data);
  }
};

napi_value undefinedValue(napi_env env) {
  napi_value u;
  napi_get_undefined(env, &u);
  return u;
}

// gemm(heap, aOff, bOff, cOff, M, N, K, transA, transB, batch, aBatchStride, bBatchStride, threads)
// Batch strides are in elements; 0 broadcasts that operand over the batch.
napi_value Gemm(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const long M = a.i64(4), N = a.i64(5), K = a.i64(6);
  const bool tA = a.flag(7), tB = a.flag(8);
  const long batch = a.i64(9), sa = a.i64(10), sb = a.i64(11);
  const int threads = static_cast<int>(a.i64(12));
  if (!a.ok) return nullptr;
  const double fb = sizeof(float);
  auto* A = reinterpret_cast<const float*>(a.ptr(1, fb * ((batch - 1) * sa + M * K)));
  auto* B = reinterpret_cast<const float*>(a.ptr(2, fb * ((batch - 1) * sb + K * N)));
  auto* C = reinterpret_cast<float*>(a.ptr(3, fb * batch * M * N));
  if (!a.ok) return nullptr;
  const long lda = tA ? M : K, ldb = tB ? K : N;
  for (long i = 0; i < batch; i++) sheaf::gemm(A + i * sa, lda, tA, B + i * sb, ldb, tB, C + i * M * N, N, M, N, K, threads);
  return undefinedValue(env);
}

// unary(heap, op, xOff, yOff, n, alpha)
napi_value Unary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int op = static_cast<int>(a.i64(1));
  const long n = a.i64(4);
  const float alpha = static_cast<float>(a.num(5));
  auto* x = reinterpret_cast<const float*>(a.ptr(2, 4.0 * n));
  auto* y = reinterpret_cast<float*>(a.ptr(3, 4.0 * n));
  if (!a.ok) return nullptr;
  sheaf::unary(op, x, y, n, alpha);
  return undefinedValue(env);
}

// unaryGrad(heap, op, aOff, dyOff, outOff, n, alpha)
napi_value UnaryGrad(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int op = static_cast<int>(a.i64(1));
  const long n = a.i64(5);
  const float alpha = static_cast<float>(a.num(6));
  auto* x = reinterpret_cast<const float*>(a.ptr(2, 4.0 * n));
  auto* dy = reinterpret_cast<const float*>(a.ptr(3, 4.0 * n));
  auto* o = reinterpret_cast<float*>(a.ptr(4, 4.0 * n));
  if (!a.ok) return nullptr;
  sheaf::unary_grad(op, x, dy, o, n, alpha);
  return undefinedValue(env);
}

// reduce(heap, op, xOff, outOff, outer, axis, inner)
napi_value Reduce(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int op = static_cast<int>(a.i64(1));
  const long outer = a.i64(4), axis = a.i64(5), inner = a.i64(6);
  auto* x = reinterpret_cast<const float*>(a.ptr(2, 4.0 * outer * axis * inner));
  auto* o = reinterpret_cast<float*>(a.ptr(3, 4.0 * outer * inner));
  if (!a.ok) return nullptr;
  sheaf::reduce(op, x, o, outer, axis, inner);
  return undefinedValue(env);
}

// copy(heap, srcOff, dstOff, elemBytes, spec) with spec = Int32Array [rank, sizes…, srcStrides…, dstStrides…]
napi_value Copy(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int eb = static_cast<int>(a.i64(3));
  const int32_t* spec = a.ints(4, 1);
  if (!a.ok) return nullptr;
  const int rank = spec[0];
  spec = a.ints(4, 1 + 3 * static_cast<size_t>(rank));
  if (!a.ok) return nullptr;
  const int32_t* sizes = spec + 1;
  const int32_t* ss = sizes + rank;
  const int32_t* ds = ss + rank;
  // Bounds: the farthest element each side touches.
  double sMax = 0, dMax = 0;
  bool empty = false;
  for (int i = 0; i < rank; i++) {
    if (sizes[i] <= 0) empty = true;
    sMax += static_cast<double>(sizes[i] - 1) * ss[i];
    dMax += static_cast<double>(sizes[i] - 1) * ds[i];
  }
  if (empty) return undefinedValue(env);
  const uint8_t* src = a.ptr(1, (sMax + 1) * eb);
  uint8_t* dst = a.ptr(2, (dMax + 1) * eb);
  if (!a.ok) return nullptr;
  sheaf::strided_copy(src, dst, eb, rank, sizes, ss, ds);
  return undefinedValue(env);
}

// binary(heap, op, aOff, bOff, outOff, spec) with spec = Int32Array [rank, sizes…, aStrides…, bStrides…]
napi_value Binary(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int op = static_cast<int>(a.i64(1));
  const int32_t* spec = a.ints(5, 1);
  if (!a.ok) return nullptr;
  const int rank = spec[0];
  spec = a.ints(5, 1 + 3 * static_cast<size_t>(rank));
  if (!a.ok) return nullptr;
  const int32_t* sizes = spec + 1;
  const int32_t* sa = sizes + rank;
  const int32_t* sb = sa + rank;
  double aMax = 0, bMax = 0, n = 1;
  for (int i = 0; i < rank; i++) {
    if (sizes[i] <= 0) return undefinedValue(env);
    aMax += static_cast<double>(sizes[i] - 1) * sa[i];
    bMax += static_cast<double>(sizes[i] - 1) * sb[i];
    n *= sizes[i];
  }
  auto* A = reinterpret_cast<const float*>(a.ptr(2, 4 * (aMax + 1)));
  auto* B = reinterpret_cast<const float*>(a.ptr(3, 4 * (bMax + 1)));
  auto* O = reinterpret_cast<float*>(a.ptr(4, 4 * n));
  if (!a.ok) return nullptr;
  sheaf::binary(op, A, B, O, rank, sizes, sa, sb);
  return undefinedValue(env);
}

// gatherRows(heap, xOff, idxOff, outOff, rowBytes, nIdx, rows) → -1 or the position of a bad index
napi_value GatherRows(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const long rowBytes = a.i64(4), nIdx = a.i64(5), rows = a.i64(6);
  const uint8_t* x = a.ptr(1, static_cast<double>(rowBytes) * rows);
  auto* idx = reinterpret_cast<const int32_t*>(a.ptr(2, 4.0 * nIdx));
  uint8_t* o = a.ptr(3, static_cast<double>(rowBytes) * nIdx);
  if (!a.ok) return nullptr;
  napi_value r;
  napi_create_double(env, static_cast<double>(sheaf::gather_rows(x, idx, o, rowBytes, nIdx, rows)), &r);
  return r;
}

// segmentSum(heap, xOff, idsOff, outOff, n, inner, numSegments)
napi_value SegmentSum(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const long n = a.i64(4), inner = a.i64(5), segs = a.i64(6);
  auto* x = reinterpret_cast<const float*>(a.ptr(1, 4.0 * n * inner));
  auto* ids = reinterpret_cast<const int32_t*>(a.ptr(2, 4.0 * n));
  auto* o = reinterpret_cast<float*>(a.ptr(3, 4.0 * segs * inner));
  if (!a.ok) return nullptr;
  sheaf::segment_sum(x, ids, o, n, inner, segs);
  return undefinedValue(env);
}

// gruForward(heap, xp, whh, bhh, h0, hs, gates, B, T, H, threads)
napi_value GruForward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const long B = a.i64(7), T = a.i64(8), H = a.i64(9);
  const int threads = static_cast<int>(a.i64(10));
  const double f = 4.0;
  auto* xp = reinterpret_cast<const float*>(a.ptr(1, f * B * T * 3 * H));
  auto* whh = reinterpret_cast<const float*>(a.ptr(2, f * 3 * H * H));
  auto* bhh = reinterpret_cast<const float*>(a.ptr(3, f * 3 * H));
  auto* h0 = reinterpret_cast<const float*>(a.ptr(4, f * B * H));
  auto* hs = reinterpret_cast<float*>(a.ptr(5, f * B * T * H));
  auto* g = reinterpret_cast<float*>(a.ptr(6, f * B * T * 4 * H));
  if (!a.ok) return nullptr;
  sheaf::gru_forward(B, T, H, xp, whh, bhh, h0, hs, g, threads);
  return undefinedValue(env);
}

// gruBackward(heap, dy, gates, hs, h0, whh, dxp, dwhh, dbhh, dh0, B, T, H, threads)
napi_value GruBackward(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const long B = a.i64(10), T = a.i64(11), H = a.i64(12);
  const int threads = static_cast<int>(a.i64(13));
  const double f = 4.0;
  auto* dy = reinterpret_cast<const float*>(a.ptr(1, f * B * T * H));
  auto* g = reinterpret_cast<const float*>(a.ptr(2, f * B * T * 4 * H));
  auto* hs = reinterpret_cast<const float*>(a.ptr(3, f * B * T * H));
  auto* h0 = reinterpret_cast<const float*>(a.ptr(4, f * B * H));
  auto* whh = reinterpret_cast<const float*>(a.ptr(5, f * 3 * H * H));
  auto* dxp = reinterpret_cast<float*>(a.ptr(6, f * B * T * 3 * H));
  auto* dwhh = reinterpret_cast<float*>(a.ptr(7, f * 3 * H * H));
  auto* dbhh = reinterpret_cast<float*>(a.ptr(8, f * 3 * H));
  auto* dh0 = reinterpret_cast<float*>(a.ptr(9, f * B * H));
  if (!a.ok) return nullptr;
  sheaf::gru_backward(B, T, H, dy, g, hs, h0, whh, dxp, dwhh, dbhh, dh0, threads);
  return undefinedValue(env);
}

// optimizerStep(heap, kind, p, g, s1, s2, po, s1o, s2o, n, hyper: Float64Array); s1/s2 < 0: absent
napi_value OptimizerStep(napi_env env, napi_callback_info info) {
  Args a(env, info);
  if (!a.ok) return nullptr;
  const int kind = static_cast<int>(a.i64(1));
  const long n = a.i64(9);
  const double bytes = 4.0 * n;
  auto opt = [&](size_t i) -> float* { return a.num(i) < 0 ? nullptr : reinterpret_cast<float*>(a.ptr(i, bytes)); };
  auto* p = reinterpret_cast<const float*>(a.ptr(2, bytes));
  auto* g = reinterpret_cast<const float*>(a.ptr(3, bytes));
  const float* s1 = opt(4);
  const float* s2 = opt(5);
  auto* po = reinterpret_cast<float*>(a.ptr(6, bytes));
  float* s1o = opt(7);
  float* s2o = opt(8);
  napi_typedarray_type type;
  size_t length;
  void* data;
  napi_value ab;
  size_t off;
  if (!a.ok) return nullptr;
  if (a.n < 11 || napi_get_typedarray_info(env, a.v[10], &type, &length, &data, &ab, &off) != napi_ok || type != napi_float64_array || length < 7) {
    a.fail("expected a Float64Array of hyper-parameters");
    return nullptr;
  }
  if (s1o == nullptr || (kind == 0 && s2o == nullptr)) {
    a.fail("missing slot outputs");
    return nullptr;
  }
  sheaf::optimizer_step(kind, p, g, s1, s2, po, s1o, s2o, n, static_cast<const double*>(data));
  return undefinedValue(env);
}

// arch() → { name, mr, nr }
napi_value Arch(napi_env env, napi_callback_info) {
  const sheaf::ArchInfo ai = sheaf::gemm_arch();
  napi_value o, name, mr, nr;
  CHECK(napi_create_object(env, &o));
  CHECK(napi_create_string_utf8(env, ai.name, NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_int32(env, ai.mr, &mr));
  CHECK(napi_create_int32(env, ai.nr, &nr));
  CHECK(napi_set_named_property(env, o, "name", name));
  CHECK(napi_set_named_property(env, o, "mr", mr));
  CHECK(napi_set_named_property(env, o, "nr", nr));
  return o;
}

// setArch(name) → boolean (false: this CPU cannot run that micro-kernel)
napi_value SetArch(napi_env env, napi_callback_info info) {
  Args a(env, info, false);
  if (!a.ok) return nullptr;
  char buf[32] = {0};
  size_t len = 0;
  if (a.n < 1 || napi_get_value_string_utf8(env, a.v[0], buf, sizeof buf, &len) != napi_ok) {
    a.fail("expected a string");
    return nullptr;
  }
  napi_value r;
  CHECK(napi_get_boolean(env, sheaf::gemm_set_arch(buf), &r));
  return r;
}

napi_value Init(napi_env env, napi_value exports) {
  const struct {
    const char* name;
    napi_callback fn;
  } fns[] = {{"gemm", Gemm},   {"unary", Unary},           {"unaryGrad", UnaryGrad},   {"reduce", Reduce}, {"copy", Copy}, {"binary", Binary}, {"gruForward", GruForward}, {"optimizerStep", OptimizerStep}, {"gruBackward", GruBackward},
             {"gatherRows", GatherRows}, {"segmentSum", SegmentSum}, {"arch", Arch}, {"setArch", SetArch}};
  for (const auto& f : fns) {
    napi_value v;
    CHECK(napi_create_function(env, f.name, NAPI_AUTO_LENGTH, f.fn, nullptr, &v));
    CHECK(napi_set_named_property(env, exports, f.name, v));
  }
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
