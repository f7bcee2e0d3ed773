// Thin layer over 128-bit SIMD: wasm_simd128.h under Emscripten (-msimd128), SSE natively.
// Kernels are written once against these helpers so the native tests exercise the same code
// shape that ships in the .wasm.
#pragma once
#include <cstddef>
#include <cstdint>

#if defined(__wasm_simd128__)
#include <wasm_simd128.h>
#define WASMBED_SIMD 1
namespace wasmbed::simd {
using f32x4 = v128_t;
inline f32x4 load(const float* p) { return wasm_v128_load(p); }
inline void store(float* p, f32x4 v) { wasm_v128_store(p, v); }
inline f32x4 splat(float x) { return wasm_f32x4_splat(x); }
inline f32x4 add(f32x4 a, f32x4 b) { return wasm_f32x4_add(a, b); }
inline f32x4 mul(f32x4 a, f32x4 b) { return wasm_f32x4_mul(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return wasm_f32x4_max(a, b); }
inline f32x4 fma(f32x4 a, f32x4 b, f32x4 acc) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
inline float hsum(f32x4 v) {
  return wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1) +
         wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3);
}
// --- integer helpers (vector index: int8 codes, raw copies) ---
using i32x4 = v128_t;
using v128 = v128_t;
inline v128 load_bytes(const void* p) { return wasm_v128_load(p); }
inline void store_bytes(void* p, v128 v) { wasm_v128_store(p, v); }
inline i32x4 zero_i32() { return wasm_i32x4_splat(0); }
inline i32x4 add_i32(i32x4 a, i32x4 b) { return wasm_i32x4_add(a, b); }
// acc += pairwise int8 products of 16 lanes, summed into 4 int32 lanes (exact: |a*b| <= 2^14).
inline i32x4 dot_i8x16(i32x4 acc, v128 a, v128 b) {
  const v128 lo = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_low_i8x16(a), wasm_i16x8_extend_low_i8x16(b));
  const v128 hi = wasm_i32x4_dot_i16x8(wasm_i16x8_extend_high_i8x16(a), wasm_i16x8_extend_high_i8x16(b));
  return wasm_i32x4_add(acc, wasm_i32x4_add(lo, hi));
}
inline int32_t hsum_i32(i32x4 v) {
  return wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) + wasm_i32x4_extract_lane(v, 2) +
         wasm_i32x4_extract_lane(v, 3);
}
// Bit i set when p[i] > 0 (i < 4; NaN gives 0): packs sign bits four at a time.
inline uint32_t positive_mask4(const float* p) {
  return wasm_i32x4_bitmask(wasm_f32x4_gt(wasm_v128_load(p), wasm_f32x4_splat(0.0f)));
}
// Scalar i64.popcnt: one instruction in wasm, lowered to the CPU's popcnt by V8/SpiderMonkey.
inline uint32_t popcount64(uint64_t x) { return static_cast<uint32_t>(__builtin_popcountll(x)); }
}  // namespace wasmbed::simd
#elif defined(__SSE2__)
#include <immintrin.h>
#define WASMBED_SIMD 1
namespace wasmbed::simd {
using f32x4 = __m128;
inline f32x4 load(const float* p) { return _mm_loadu_ps(p); }
inline void store(float* p, f32x4 v) { _mm_storeu_ps(p, v); }
inline f32x4 splat(float x) { return _mm_set1_ps(x); }
inline f32x4 add(f32x4 a, f32x4 b) { return _mm_add_ps(a, b); }
inline f32x4 mul(f32x4 a, f32x4 b) { return _mm_mul_ps(a, b); }
inline f32x4 max(f32x4 a, f32x4 b) { return _mm_max_ps(a, b); }
inline f32x4 fma(f32x4 a, f32x4 b, f32x4 acc) { return _mm_add_ps(acc, _mm_mul_ps(a, b)); }
inline float hsum(f32x4 v) {
  alignas(16) float t[4];
  _mm_store_ps(t, v);
  return t[0] + t[1] + t[2] + t[3];
}
// --- integer helpers (vector index: int8 codes, raw copies) ---
using i32x4 = __m128i;
using v128 = __m128i;
inline v128 load_bytes(const void* p) { return _mm_loadu_si128(static_cast<const __m128i*>(p)); }
inline void store_bytes(void* p, v128 v) { _mm_storeu_si128(static_cast<__m128i*>(p), v); }
inline i32x4 zero_i32() { return _mm_setzero_si128(); }
inline i32x4 add_i32(i32x4 a, i32x4 b) { return _mm_add_epi32(a, b); }
// acc += pairwise int8 products of 16 lanes, summed into 4 int32 lanes (exact: |a*b| <= 2^14).
inline i32x4 dot_i8x16(i32x4 acc, v128 a, v128 b) {
  // Sign-extend int8 -> int16 with SSE2 only (unpack a byte with itself, arithmetic shift by 8).
  const __m128i lo = _mm_madd_epi16(_mm_srai_epi16(_mm_unpacklo_epi8(a, a), 8), _mm_srai_epi16(_mm_unpacklo_epi8(b, b), 8));
  const __m128i hi = _mm_madd_epi16(_mm_srai_epi16(_mm_unpackhi_epi8(a, a), 8), _mm_srai_epi16(_mm_unpackhi_epi8(b, b), 8));
  return _mm_add_epi32(acc, _mm_add_epi32(lo, hi));
}
inline int32_t hsum_i32(i32x4 v) {
  alignas(16) int32_t t[4];
  _mm_store_si128(reinterpret_cast<__m128i*>(t), v);
  return t[0] + t[1] + t[2] + t[3];
}
// Bit i set when p[i] > 0 (i < 4; NaN gives 0): packs sign bits four at a time.
inline uint32_t positive_mask4(const float* p) {
  return static_cast<uint32_t>(_mm_movemask_ps(_mm_cmpgt_ps(_mm_loadu_ps(p), _mm_setzero_ps())));
}
// Hardware popcnt (built with -mpopcnt on x86-64).
inline uint32_t popcount64(uint64_t x) { return static_cast<uint32_t>(__builtin_popcountll(x)); }
}  // namespace wasmbed::simd
#else
#define WASMBED_SIMD 0
#endif

namespace wasmbed::simd {
// True when this build was compiled with 128-bit SIMD (always, for the shipped .wasm).
constexpr bool enabled() { return WASMBED_SIMD != 0; }
}  // namespace wasmbed::simd
