# SNN_SANITIZE: AddressSanitizer and UndefinedBehaviorSanitizer on every target. Every report is
# fatal (halt_on_error) except the few suppressed in tests/sanitize/ (library idioms, HDF5's own
# leaks); tests get those options through SNN_TEST_ENV. SNN_FUZZ: libFuzzer's coverage instrumentation on every target
# (clang only); the fuzz programs link libFuzzer's main (tests/fuzz/CMakeLists.txt).
if(SNN_SANITIZE OR SNN_FUZZ)
  if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
    message(FATAL_ERROR "SNN_SANITIZE and SNN_FUZZ are for CPU builds (OMP or CPP)")
  endif()
  # Recoverable, so that suppressions apply; halt_on_error=1 makes every other report fatal.
  set(SNN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer)
  add_compile_options(${SNN_SANITIZE_FLAGS})
  add_link_options(${SNN_SANITIZE_FLAGS})
  set(SNN_TEST_ENV
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/ubsan.supp"
      "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/lsan.supp"
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0")
endif()
if(SNN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SNN_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
