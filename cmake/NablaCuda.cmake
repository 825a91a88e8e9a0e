# The CUDA back end (src/kernels/cuda/; docs/cuda.md).
#
#   -DNABLA_CUDA=AUTO (default)  on when nvcc, cuBLAS(Lt) and cuDNN 9 are found
#   -DNABLA_CUDA=ON              the same, but a missing piece is an error
#   -DNABLA_CUDA=OFF             CPU only
#   -DCMAKE_CUDA_ARCHITECTURES=  defaults to "90-real;90-virtual": SASS for Hopper
#                                (sm_90) plus PTX that newer GPUs JIT-compile
#
# Sets NABLA_HAVE_CUDA and, when on, NABLA_CUDA_SOURCES and the target
# nabla_cuda_deps (the CUDA libraries, linked privately into libnabla).
# Looks for the toolkit in CUDAToolkit_ROOT, CUDA_PATH or /usr/local/cuda.
set(NABLA_CUDA "AUTO" CACHE STRING "Build the CUDA back end: AUTO, ON or OFF")
set_property(CACHE NABLA_CUDA PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${NABLA_CUDA}" _nabla_cuda_mode)
if(NOT _nabla_cuda_mode MATCHES "^(AUTO|ON|OFF)$")
  message(FATAL_ERROR "NABLA_CUDA='${NABLA_CUDA}': expected AUTO, ON or OFF")
endif()

set(NABLA_HAVE_CUDA OFF)
set(_nabla_cuda_why "")
if(_nabla_cuda_mode STREQUAL "OFF")
  set(_nabla_cuda_why "NABLA_CUDA=OFF")
elseif(NABLA_SANITIZERS OR NABLA_FUZZ)
  set(_nabla_cuda_why "sanitizer and fuzz builds are CPU only")
else()
  if(NOT CMAKE_CUDA_COMPILER AND NOT DEFINED ENV{CUDACXX})
    foreach(_root "$ENV{CUDAToolkit_ROOT}" "$ENV{CUDA_PATH}" "/usr/local/cuda")
      if(_root AND EXISTS "${_root}/bin/nvcc")
        set(CMAKE_CUDA_COMPILER "${_root}/bin/nvcc" CACHE FILEPATH "CUDA compiler")
        break()
      endif()
    endforeach()
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(NOT CMAKE_CUDA_COMPILER)
    set(_nabla_cuda_why "nvcc not found (set CUDAToolkit_ROOT or CMAKE_CUDA_COMPILER)")
  else()
    get_filename_component(_nvcc_bin "${CMAKE_CUDA_COMPILER}" DIRECTORY)
    get_filename_component(CUDAToolkit_ROOT "${_nvcc_bin}" DIRECTORY)
    find_package(CUDAToolkit QUIET)
    find_path(NABLA_CUDNN_INCLUDE_DIR cudnn.h HINTS ${CUDAToolkit_INCLUDE_DIRS} "${CUDAToolkit_ROOT}/include")
    find_library(NABLA_CUDNN_LIBRARY cudnn HINTS ${CUDAToolkit_LIBRARY_DIR} "${CUDAToolkit_ROOT}/lib64")
    if(NOT CUDAToolkit_FOUND)
      set(_nabla_cuda_why "the CUDA toolkit's libraries were not found next to ${CMAKE_CUDA_COMPILER}")
    elseif(NOT TARGET CUDA::cublasLt OR NOT TARGET CUDA::cublas)
      set(_nabla_cuda_why "cuBLAS/cuBLASLt not found in ${CUDAToolkit_LIBRARY_DIR}")
    elseif(NOT NABLA_CUDNN_INCLUDE_DIR OR NOT NABLA_CUDNN_LIBRARY)
      set(_nabla_cuda_why "cuDNN 9 (cudnn.h, libcudnn) not found")
    else()
      set(NABLA_HAVE_CUDA ON)
    endif()
  endif()
endif()

if(NABLA_HAVE_CUDA)
  if(NOT CMAKE_CUDA_ARCHITECTURES)
    set(CMAKE_CUDA_ARCHITECTURES "90-real;90-virtual" CACHE STRING "CUDA architectures" FORCE)
  endif()
  enable_language(CUDA)
  # CMake 3.25 does not know nvcc 13's C++20 flag; libnabla's C++20 applies to CUDA too.
  if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
    set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
    set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
  endif()
  if(CCACHE_PROGRAM)
    set(CMAKE_CUDA_COMPILER_LAUNCHER "${CCACHE_PROGRAM}")
  endif()
  file(GLOB_RECURSE NABLA_CUDA_SOURCES CONFIGURE_DEPENDS
       ${PROJECT_SOURCE_DIR}/src/kernels/cuda/*.cpp ${PROJECT_SOURCE_DIR}/src/kernels/cuda/*.cu)
  add_library(nabla_cuda_deps INTERFACE)
  target_include_directories(nabla_cuda_deps SYSTEM INTERFACE ${CUDAToolkit_INCLUDE_DIRS} ${NABLA_CUDNN_INCLUDE_DIR})
  # cudart statically: libnabla then loads on machines with only the driver.
  target_link_libraries(nabla_cuda_deps INTERFACE CUDA::cudart_static CUDA::cublasLt CUDA::cublas ${NABLA_CUDNN_LIBRARY})
  target_compile_definitions(nabla_cuda_deps INTERFACE NABLA_HAVE_CUDA=1)
  target_compile_options(nabla_cuda_deps INTERFACE $<$<COMPILE_LANGUAGE:CUDA>:--expt-relaxed-constexpr>)
  message(STATUS "nabla: CUDA back end ON (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, architectures "
                 "${CMAKE_CUDA_ARCHITECTURES}; cuDNN ${NABLA_CUDNN_LIBRARY})")
elseif(_nabla_cuda_mode STREQUAL "ON")
  message(FATAL_ERROR "NABLA_CUDA=ON, but ${_nabla_cuda_why}")
else()
  message(STATUS "nabla: CUDA back end OFF (${_nabla_cuda_why})")
endif()
