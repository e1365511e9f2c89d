# The one way kyodo declares its targets (docs/CONTRIBUTING.md, "Layout"):
# kyodo_cc_library, kyodo_cc_binary, kyodo_cc_test, and kyodo_proto_library
# for code generated from .proto files.
#
# kyodo_cc_library(NAME <target> ALIAS <kyodo::area::name>
#                  SRCS <file>...
#                  [DEPS <target>...]          what its headers need (PUBLIC)
#                  [PRIVATE_DEPS <target>...]  what only its .cc files need
#                  [INCLUDES <dir>...]         more PUBLIC include folders
#                  [ALONE <file>...])          compiled on their own in a unity build
#
# A static library whose headers are included from the repository root
# (`#include "common/db/pool.h"`), with a namespaced ALIAS that other targets
# link (a misspelt alias is an error at configure time, a misspelt plain name
# a silent `-l` flag). Each target names the targets it really uses: there
# is no umbrella target, so the layering is readable from the CMakeLists.
#
# With KYODO_UNITY (CMakeLists.txt) a target's files compile in batches, one
# translation unit each; ALONE names files whose file-local names (in an
# anonymous namespace) are the same as a neighbour's, which then compile on
# their own.
function(kyodo_cc_library)
  cmake_parse_arguments(ARG "" "NAME;ALIAS" "SRCS;DEPS;PRIVATE_DEPS;INCLUDES;ALONE" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_NAME OR NOT ARG_ALIAS OR NOT ARG_SRCS)
    message(FATAL_ERROR "kyodo_cc_library(${ARG_NAME}): needs NAME, ALIAS and SRCS "
                        "(unparsed: ${ARG_UNPARSED_ARGUMENTS})")
  endif()
  add_library(${ARG_NAME} ${ARG_SRCS} ${ARG_ALONE})
  add_library(${ARG_ALIAS} ALIAS ${ARG_NAME})
  target_include_directories(${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR} ${ARG_INCLUDES})
  target_link_libraries(${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  if(ARG_ALONE)
    set_source_files_properties(${ARG_ALONE} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endif()
endfunction()

# kyodo_cc_binary(NAME <target> SRCS <file>... [DEPS <target>...])
#
# A program. Its target name is its file name, and it lands in the build
# folder's mirror of its source folder (build/gateway/gateway), where the
# scripts look for it.
function(kyodo_cc_binary)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_NAME OR NOT ARG_SRCS)
    message(FATAL_ERROR "kyodo_cc_binary(${ARG_NAME}): needs NAME and SRCS "
                        "(unparsed: ${ARG_UNPARSED_ARGUMENTS})")
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS})
endfunction()

# kyodo_cc_test(NAME <binary> SRCS <file>... [DEPS <target>...]
#               [NEEDS <target>...] [WHOLE] [TIMEOUT <seconds>] [ALONE <file>...])
#
# One GoogleTest binary linked with gtest_main and gmock. Its tests are
# registered with ctest one by one, prefixed with the binary's name (so
# `tests/run.sh -R partner` selects one service's tests); WHOLE registers
# the binary as one ctest test instead (a binary that starts one cluster
# for all its tests). NEEDS names the programs the test starts as processes,
# built before it. TIMEOUT defaults to 300 s per ctest test. Its files also
# get KYODO_TEST_COMPILE_OPTIONS (CMakeLists.txt). ALONE as for
# kyodo_cc_library.
function(kyodo_cc_test)
  cmake_parse_arguments(ARG "WHOLE" "NAME;TIMEOUT" "SRCS;DEPS;NEEDS;ALONE" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS OR NOT ARG_NAME OR NOT ARG_SRCS)
    message(FATAL_ERROR "kyodo_cc_test(${ARG_NAME}): needs NAME and SRCS "
                        "(unparsed: ${ARG_UNPARSED_ARGUMENTS})")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS} ${ARG_ALONE})
  target_include_directories(${ARG_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gtest_main GTest::gmock)
  if(ARG_ALONE)
    set_source_files_properties(${ARG_ALONE} PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endif()
  target_compile_options(${ARG_NAME} PRIVATE ${KYODO_TEST_COMPILE_OPTIONS})
  if(ARG_NEEDS)
    add_dependencies(${ARG_NAME} ${ARG_NEEDS})
  endif()
  if(ARG_WHOLE)
    add_test(NAME ${ARG_NAME} COMMAND ${ARG_NAME})
    set_tests_properties(${ARG_NAME} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  else()
    gtest_discover_tests(${ARG_NAME} TEST_PREFIX "${ARG_NAME}." DISCOVERY_TIMEOUT 60
                         PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()

# kyodo_proto_library(NAME <target> ALIAS <ns::name> OUT_DIR <dir>
#                     ROOT <dir> PROTOS <file>... [ROOT <dir> PROTOS <file>...]...
#                     [IMPORT_DIRS <dir>...] [DEPS <target>...])
#
# A static library of the C++ that protoc generates for .proto files, with
# CMake's protobuf_generate (FindProtobuf), and gRPC's stubs for the files
# that declare a service. Each file is named by its path under its ROOT
# (kyodo/partner/v1/partner.proto under protos/, google/rpc/status.proto
# under the googleapis folder), and its code lands at that path under
# OUT_DIR, which is the library's include folder: sources include
# "kyodo/partner/v1/partner.pb.h". IMPORT_DIRS are the other folders its
# imports are found in (every ROOT is one too).
function(kyodo_proto_library)
  cmake_parse_arguments(ARG "" "NAME;ALIAS;OUT_DIR" "IMPORT_DIRS;DEPS" ${ARGN})
  file(MAKE_DIRECTORY ${ARG_OUT_DIR})
  add_library(${ARG_NAME})
  # Each generated file defines the same file-local names (descriptor
  # tables): never batched.
  set_target_properties(${ARG_NAME} PROPERTIES UNITY_BUILD OFF)
  add_library(${ARG_ALIAS} ALIAS ${ARG_NAME})
  # Generated code is not ours to warn about.
  target_compile_options(${ARG_NAME} PRIVATE -w)
  target_include_directories(${ARG_NAME} SYSTEM PUBLIC ${ARG_OUT_DIR})
  target_link_libraries(${ARG_NAME} PUBLIC protobuf::libprotobuf gRPC::grpc++ ${ARG_DEPS})

  # The ROOT ... PROTOS ... groups, in order.
  set(roots)
  set(group)
  set(mode)
  foreach(arg IN LISTS ARG_UNPARSED_ARGUMENTS)
    if(arg STREQUAL "ROOT" OR arg STREQUAL "PROTOS")
      set(mode ${arg})
    elseif(mode STREQUAL "ROOT")
      list(APPEND roots ${arg})
      set(group_${arg})
      set(group ${arg})
    elseif(mode STREQUAL "PROTOS" AND group)
      list(APPEND group_${group} ${arg})
    else()
      message(FATAL_ERROR "kyodo_proto_library(${ARG_NAME}): unexpected ${arg}")
    endif()
  endforeach()

  foreach(root IN LISTS roots)
    set(services)
    foreach(proto IN LISTS group_${root})
      file(READ ${proto} content)
      if(content MATCHES "\nservice ")
        list(APPEND services ${proto})
      endif()
    endforeach()
    # FindProtobuf of CMake 3.25 names each output after the .proto's path
    # relative to CMAKE_CURRENT_SOURCE_DIR, and passes that folder to protoc
    # as the first -I: set here, in this function's scope only, to the root
    # the files are named under.
    set(CMAKE_CURRENT_SOURCE_DIR ${root})
    protobuf_generate(TARGET ${ARG_NAME} LANGUAGE cpp
      PROTOS ${group_${root}} IMPORT_DIRS ${roots} ${ARG_IMPORT_DIRS}
      PROTOC_OUT_DIR ${ARG_OUT_DIR})
    if(services)
      protobuf_generate(TARGET ${ARG_NAME} LANGUAGE grpc
        GENERATE_EXTENSIONS .grpc.pb.h .grpc.pb.cc
        PLUGIN protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
        PROTOS ${services} IMPORT_DIRS ${roots} ${ARG_IMPORT_DIRS}
        PROTOC_OUT_DIR ${ARG_OUT_DIR})
    endif()
  endforeach()
endfunction()
