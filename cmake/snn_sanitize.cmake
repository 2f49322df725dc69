# SNN_SANITIZE: AddressSanitizer and UndefinedBehaviorSanitizer on every target (any UB report is
# fatal, so ctest fails on it). SNN_FUZZ: libFuzzer's coverage instrumentation on every target
# (clang only); the fuzz programs link libFuzzer's main (tests/fuzz/CMakeLists.txt).
if(SNN_SANITIZE OR SNN_FUZZ)
  if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
    message(FATAL_ERROR "SNN_SANITIZE and SNN_FUZZ are for CPU builds (OMP or CPP)")
  endif()
  set(SNN_SANITIZE_FLAGS -fsanitize=address,undefined -fno-sanitize-recover=undefined
                         -fno-omit-frame-pointer)
  add_compile_options(${SNN_SANITIZE_FLAGS})
  add_link_options(${SNN_SANITIZE_FLAGS})
endif()
if(SNN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SNN_FUZZ needs clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
