# cmake -P script behind the `install_package` test (see CMakeLists.txt here).
# Inputs: NABLA_BINARY_DIR, NABLA_CONFIG, PROJECT_DIR, WORK_DIR, GENERATOR,
# CXX_COMPILER. Everything it writes lies under WORK_DIR (in the build tree).
cmake_minimum_required(VERSION 3.25)

foreach(v NABLA_BINARY_DIR PROJECT_DIR WORK_DIR GENERATOR CXX_COMPILER)
  if(NOT DEFINED ${v} OR "${${v}}" STREQUAL "")
    message(FATAL_ERROR "install_test.cmake: -D${v}=... is required")
  endif()
endforeach()
if(NOT NABLA_CONFIG)
  set(NABLA_CONFIG Release)
endif()

set(prefix ${WORK_DIR}/prefix)
set(app_build ${WORK_DIR}/app-build)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run_step what)
  message(STATUS "install test: ${what}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "install test: '${what}' failed (${rc})")
  endif()
endfunction()

# The library must be built before it can be installed (a no-op after a build).
run_step("build the nabla library"
  ${CMAKE_COMMAND} --build ${NABLA_BINARY_DIR} --config ${NABLA_CONFIG} --target nabla)
run_step("install into ${prefix}"
  ${CMAKE_COMMAND} --install ${NABLA_BINARY_DIR} --config ${NABLA_CONFIG} --prefix ${prefix})

# The installed package must hold the config files, headers and library.
file(GLOB_RECURSE config_files ${prefix}/*/nablaConfig.cmake)
file(GLOB_RECURSE libs ${prefix}/*/libnabla.so*)
if(NOT config_files OR NOT EXISTS ${prefix}/include/nabla/nabla.h OR NOT libs)
  message(FATAL_ERROR "install test: incomplete install under ${prefix}: "
                      "config='${config_files}' libs='${libs}'")
endif()

# Configure and build the outside project against the installed package only.
run_step("configure the outside project"
  ${CMAKE_COMMAND} -S ${PROJECT_DIR} -B ${app_build} -G ${GENERATOR}
    -DCMAKE_BUILD_TYPE=${NABLA_CONFIG}
    -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
    -DCMAKE_PREFIX_PATH=${prefix}
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
run_step("build the outside project"
  ${CMAKE_COMMAND} --build ${app_build} --config ${NABLA_CONFIG})

# Run it. The app finds libnabla through the run path CMake gave it from the
# imported target (no LD_LIBRARY_PATH), as a user's own build would.
find_program(app NAMES app PATHS ${app_build} ${app_build}/${NABLA_CONFIG} NO_DEFAULT_PATH REQUIRED)
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ${app}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "install test: app printed:\n${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "install test: the outside app failed (${rc})")
endif()
message(STATUS "install test: passed")
