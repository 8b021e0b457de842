# Named constants (policy/constants.cc) are generated from the system headers at build time:
# tools/gen_constants.py lists the macro and enumerator names, constants.cc includes the result
# with the same headers, and the compiler evaluates every value. Included by the top-level
# CMakeLists.txt after cordon_policy is defined.
find_package(Python3 REQUIRED COMPONENTS Interpreter)

set(CORDON_GENERATED_DIR ${CMAKE_BINARY_DIR}/generated)
set(CORDON_CONSTANTS_OUTPUTS
    ${CORDON_GENERATED_DIR}/cordon_constants.inc
    ${CORDON_GENERATED_DIR}/cordon_constants_headers.inc
    ${CORDON_GENERATED_DIR}/cordon_errno.inc)

add_custom_command(
  OUTPUT ${CORDON_CONSTANTS_OUTPUTS}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CORDON_GENERATED_DIR}
  COMMAND Python3::Interpreter ${CMAKE_SOURCE_DIR}/tools/gen_constants.py
          --cc ${CMAKE_C_COMPILER} --cxx ${CMAKE_CXX_COMPILER} --out-dir ${CORDON_GENERATED_DIR}
          --depfile ${CORDON_GENERATED_DIR}/cordon_constants.d
  DEPENDS ${CMAKE_SOURCE_DIR}/tools/gen_constants.py
  DEPFILE ${CORDON_GENERATED_DIR}/cordon_constants.d
  COMMENT "Generating named constants from the system headers"
  VERBATIM)

# Listing the outputs as sources orders their generation before cordon_policy's compilation.
set_source_files_properties(${CORDON_CONSTANTS_OUTPUTS} PROPERTIES HEADER_FILE_ONLY ON)
target_sources(cordon_policy PRIVATE ${CORDON_CONSTANTS_OUTPUTS})
