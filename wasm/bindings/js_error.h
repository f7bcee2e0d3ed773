// Boundary between C++ exceptions and JS: every bound entry point runs inside guard(), which turns
// a wasmbed::Error (or bad_alloc) into a JS Error carrying `wasmbedCode`; js/errors.js then
// rethrows it as the matching typed subclass.
#pragma once
#include <emscripten/val.h>

#include <exception>
#include <new>
#include <string>

#include "common/error.h"

namespace wasmbed::bind {

[[noreturn]] inline void throw_js(ErrorCode code, const std::string& message) {
  emscripten::val err = emscripten::val::global("Error").new_(message);
  err.set("wasmbedCode", static_cast<int>(code));
  err.throw_();
}

template <class F>
auto guard(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const Error& e) {
    throw_js(e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw_js(ErrorCode::kCapacity, "out of WebAssembly memory (the 4 GB wasm32 limit or the browser's limit was reached)");
  } catch (const std::exception& e) {
    throw_js(ErrorCode::kInternal, std::string("internal error: ") + e.what());
  }
}

// Raw pointers cross the boundary as integers (addresses in the wasm heap).
template <class T>
inline T* ptr(uintptr_t address) { return reinterpret_cast<T*>(address); }

}  // namespace wasmbed::bind
