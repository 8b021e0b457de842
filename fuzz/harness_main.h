// The main() every cordon harness shares. Built with afl-clang-fast(++), it is AFL++'s
// persistent mode (shared-memory test cases, __AFL_LOOP), after one warm-up input that builds
// lazily initialised state before the fork server starts, so each child does not pay for it.
// Built with any other compiler it is a one-shot reproducer: one input from the file named by
// argv[1] (or stdin), with CORDON_FUZZ_VERBOSE=1 turning `verbose` on.
// Include it from exactly one file per harness.
#pragma once

#include <unistd.h>  // read(), which __AFL_FUZZ_TESTCASE_LEN expands to

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <string_view>

#ifdef __AFL_FUZZ_TESTCASE_LEN
// At file scope: it declares the C symbols AFL++'s runtime provides.
__AFL_FUZZ_INIT();
#endif

namespace cordon::fuzz {

using RunOne = void (*)(const uint8_t* data, size_t len);

#ifdef __AFL_FUZZ_TESTCASE_LEN

inline int harness_main(const char*, std::string_view warm, RunOne run_one, bool&, int, char**) {
  run_one(reinterpret_cast<const uint8_t*>(warm.data()), warm.size());
#ifdef __AFL_HAVE_MANUAL_CONTROL
  __AFL_INIT();
#endif
  const uint8_t* buf = __AFL_FUZZ_TESTCASE_BUF;  // must come after __AFL_INIT
  while (__AFL_LOOP(10000)) run_one(buf, static_cast<size_t>(__AFL_FUZZ_TESTCASE_LEN));
  return 0;
}

#else  // not built with afl-clang-fast: a one-shot reproducer

inline int harness_main(const char* name, std::string_view, RunOne run_one, bool& verbose, int argc,
                        char** argv) {
  verbose = std::getenv("CORDON_FUZZ_VERBOSE") != nullptr;
  std::string input;
  if (argc > 1 && std::string(argv[1]) != "-") {
    std::ifstream in(argv[1], std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "%s: cannot read %s\n", name, argv[1]);
      return 2;
    }
    input.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  } else {
    std::ostringstream ss;
    ss << std::cin.rdbuf();
    input = ss.str();
  }
  run_one(reinterpret_cast<const uint8_t*>(input.data()), input.size());
  return 0;
}

#endif

}  // namespace cordon::fuzz
