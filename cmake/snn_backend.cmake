# Selects the Thrust device system. Algorithm sources are written once as .cu files: nvcc compiles
# them for the CUDA system; g++ compiles the same files as C++ for the OMP/CPP systems (Thrust's
# trick), so there is one implementation of every algorithm.

find_package(OpenMP REQUIRED COMPONENTS CXX)

if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
  if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES 90)
  endif()
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  enable_language(CUDA)
  set(CMAKE_CUDA_STANDARD 17)
  set(CMAKE_CUDA_STANDARD_REQUIRED ON)
  find_package(CUDAToolkit REQUIRED)
  set(SNN_THRUST_SYSTEM THRUST_DEVICE_SYSTEM_CUDA)
elseif(SNN_DEVICE_SYSTEM STREQUAL "OMP")
  set(SNN_THRUST_SYSTEM THRUST_DEVICE_SYSTEM_OMP)
elseif(SNN_DEVICE_SYSTEM STREQUAL "CPP")
  set(SNN_THRUST_SYSTEM THRUST_DEVICE_SYSTEM_CPP)
else()
  message(FATAL_ERROR "SNN_DEVICE_SYSTEM must be OMP, CUDA or CPP, not '${SNN_DEVICE_SYSTEM}'")
endif()

# Thrust headers for g++: the CUDA toolkit's CCCL when present (the same Thrust as nvcc uses, so
# plain C++ files of a CUDA build see the same Thrust as its .cu files), else Debian's libthrust-dev.
find_path(SNN_THRUST_INCLUDE thrust/version.h
          HINTS /usr/local/cuda/include/cccl /usr/local/cuda/targets/x86_64-linux/include/cccl
          PATHS /usr/include)
if(NOT SNN_THRUST_INCLUDE)
  message(FATAL_ERROR "Thrust not found: apt-get install libthrust-dev, or install the CUDA toolkit")
endif()
find_path(SNN_RANDOM123_INCLUDE Random123/philox.h)
if(NOT SNN_RANDOM123_INCLUDE)
  message(FATAL_ERROR "Random123 not found: apt-get install librandom123-dev")
endif()

message(STATUS "snn: Thrust device system ${SNN_DEVICE_SYSTEM}")

# snn_backend: the interface every module links for the device system, Thrust and OpenMP.
add_library(snn_backend INTERFACE)
target_compile_definitions(snn_backend INTERFACE THRUST_DEVICE_SYSTEM=${SNN_THRUST_SYSTEM}
                                                 SNN_SYSTEM_${SNN_DEVICE_SYSTEM}=1)
target_include_directories(snn_backend SYSTEM INTERFACE ${SNN_RANDOM123_INCLUDE})
target_include_directories(snn_backend INTERFACE $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}>
                                                $<INSTALL_INTERFACE:include/snn>)
target_link_libraries(snn_backend INTERFACE OpenMP::OpenMP_CXX)
if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
  target_compile_options(snn_backend INTERFACE
    $<$<COMPILE_LANGUAGE:CUDA>:--extended-lambda --expt-relaxed-constexpr -Xcompiler=-fopenmp>)
  target_link_libraries(snn_backend INTERFACE CUDA::cudart CUDA::cublas)
  target_include_directories(snn_backend SYSTEM BEFORE INTERFACE
                             $<$<COMPILE_LANGUAGE:CXX>:${SNN_THRUST_INCLUDE}>)
else()
  target_include_directories(snn_backend SYSTEM BEFORE INTERFACE ${SNN_THRUST_INCLUDE})
endif()
target_compile_options(snn_backend INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wno-unused-parameter>)

# snn_cuda_sources(<var> files...): .cu files are CUDA in the CUDA build and C++ elsewhere.
function(snn_mark_sources)
  foreach(src IN LISTS ARGN)
    if(src MATCHES "\\.cu$")
      if(SNN_DEVICE_SYSTEM STREQUAL "CUDA")
        set_source_files_properties(${src} PROPERTIES LANGUAGE CUDA)
      else()
        set_source_files_properties(${src} PROPERTIES LANGUAGE CXX)
      endif()
    endif()
  endforeach()
endfunction()

# snn_add_library(name files...): a module library whose .cu files follow the device system.
function(snn_add_library name)
  add_library(${name} STATIC ${ARGN})
  snn_mark_sources(${ARGN})
  target_link_libraries(${name} PUBLIC snn_backend)
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# snn_add_executable(name files...): likewise for programs and test binaries.
function(snn_add_executable name)
  add_executable(${name} ${ARGN})
  snn_mark_sources(${ARGN})
  target_link_libraries(${name} PRIVATE snn_backend)
endfunction()
