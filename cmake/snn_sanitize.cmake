# SNN_SANITIZE: AddressSanitizer and UndefinedBehaviorSanitizer on every target. Every report is
# fatal (halt_on_error) except the few suppressed in tests/sanitize/ (library idioms, HDF5's own
# leaks). SNN_FUZZ: the same sanitizers plus libFuzzer's coverage instrumentation on every target
# (clang only); the fuzz programs link libFuzzer's main (tests/fuzz/CMakeLists.txt).
#
# The sanitizers' options reach every test through ctest's own environment
# (snn_sanitizer_environment below), not through each test's ENVIRONMENT property:
# gtest_discover_tests splits a property's list into separate arguments, so only the first entry of
# an ENVIRONMENT list ever reached a discovered test, and the suppressions and halt_on_error were
# silently lost.
function(snn_sanitizer_environment)
  set(text "# Written by cmake/snn_sanitize.cmake: the sanitizers' options for every test ctest runs.\n")
  foreach(entry IN LISTS ARGN)
    string(REGEX MATCH "^[^=]+" key "${entry}")
    string(LENGTH "${key}=" skip)
    string(SUBSTRING "${entry}" ${skip} -1 value)
    string(APPEND text "set(ENV{${key}} \"${value}\")\n")
  endforeach()
  file(WRITE ${CMAKE_BINARY_DIR}/sanitizer_environment.cmake "${text}")
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY TEST_INCLUDE_FILES
               ${CMAKE_BINARY_DIR}/sanitizer_environment.cmake)
endfunction()

if(SNN_SANITIZE OR SNN_FUZZ)
  if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
    message(FATAL_ERROR "SNN_SANITIZE and SNN_FUZZ are for CPU builds (OMP or CPP)")
  endif()
  # Recoverable, so that suppressions apply; halt_on_error=1 makes every other report fatal.
  set(SNN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-omit-frame-pointer)
  add_compile_options(${SNN_SANITIZE_FLAGS})
  add_link_options(${SNN_SANITIZE_FLAGS})
  snn_sanitizer_environment(
      "UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/ubsan.supp"
      "LSAN_OPTIONS=suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/lsan.supp"
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=0")
  # Python is not instrumented: its tests load the sanitizer runtime first (LD_PRELOAD) and leave
  # leak checking off, since the interpreter's own allocations at exit would all be reported.
  # The programs those tests start must use that same runtime, not a second copy: gcc links the
  # shared one anyway, clang is told to (-shared-libsan, found through an rpath).
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-x86_64.so
                    OUTPUT_VARIABLE snn_asan_runtime OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(snn_asan_dir "${snn_asan_runtime}" DIRECTORY)
    list(APPEND SNN_SANITIZE_FLAGS -shared-libsan "-Wl,-rpath,${snn_asan_dir}")
    add_link_options(-shared-libsan "LINKER:-rpath,${snn_asan_dir}")
  else()
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so
                    OUTPUT_VARIABLE snn_asan OUTPUT_STRIP_TRAILING_WHITESPACE)
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libubsan.so
                    OUTPUT_VARIABLE snn_ubsan OUTPUT_STRIP_TRAILING_WHITESPACE)
    set(snn_asan_runtime "${snn_asan}:${snn_ubsan}")
  endif()
  set(SNN_PYTHON_TEST_ENV "LD_PRELOAD=${snn_asan_runtime}" "ASAN_OPTIONS=detect_leaks=0")
endif()
if(SNN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SNN_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
  list(APPEND SNN_SANITIZE_FLAGS -fsanitize=fuzzer-no-link)
endif()
# SNN_TSAN: ThreadSanitizer on every target, for the OpenMP build with clang and LLVM's libomp.
# TSan alone does not see OpenMP's barriers and reports races inside every parallel region;
# Archer (libarcher, part of libomp-dev) tells TSan about them, so what remains are real races.
# Tests get OMP_TOOL_LIBRARIES through ctest's environment (snn_sanitizer_environment);
# tests/sanitize/tsan.supp lists what is suppressed and why.
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
  snn_sanitizer_environment(
      "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${PROJECT_SOURCE_DIR}/tests/sanitize/tsan.supp"
      "OMP_TOOL_LIBRARIES=${SNN_ARCHER}")
endif()
