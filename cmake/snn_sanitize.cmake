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
# SNN_TSAN: ThreadSanitizer on every target, for the OpenMP build with clang and LLVM's libomp.
# TSan alone does not see OpenMP's barriers and reports races inside every parallel region;
# Archer (libarcher, part of libomp-dev) tells TSan about them, so what remains are real races.
# Tests get OMP_TOOL_LIBRARIES through SNN_TEST_ENV; tests/sanitize/tsan.supp lists what is
# suppressed and why.
if(SNN_TSAN)
  if(SNN_SANITIZE OR SNN_FUZZ)
    message(FATAL_ERROR "SNN_TSAN cannot be combined with SNN_SANITIZE or SNN_FUZZ")
  endif()
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang" OR NOT SNN_DEVICE_SYSTEM STREQUAL "OMP")
    message(FATAL_ERROR "SNN_TSAN needs clang and the OMP system (-DCMAKE_CXX_COMPILER=clang++)")
  endif()
  string(REGEX MATCH "^[0-9]+" snn_clang_major "${CMAKE_CXX_COMPILER_VERSION}")
  find_library(SNN_ARCHER archer PATHS /usr/lib/llvm-${snn_clang_major}/lib REQUIRED)
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  set(SNN_TEST_ENV
      "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/tsan.supp"
      "OMP_TOOL_LIBRARIES=${SNN_ARCHER}")
endif()
