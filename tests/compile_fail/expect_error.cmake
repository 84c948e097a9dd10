# Compiles SOURCE, which must fail with exactly one error: the static_assert whose message the
# source names in a "// expect: <message>" line. Run by ctest (see CMakeLists.txt):
#   cmake -DCOMPILER=c++ -DINCLUDE=<include dir> -DSOURCE=<file> -P expect_error.cmake
file(STRINGS "${SOURCE}" expect_lines REGEX "^// expect: ")
if(NOT expect_lines)
  message(FATAL_ERROR "${SOURCE} has no '// expect: <message>' line")
endif()
string(REGEX REPLACE "^// expect: " "" expected "${expect_lines}")
execute_process(
  COMMAND "${COMPILER}" -std=c++20 -fsyntax-only "-I${INCLUDE}" "${SOURCE}"
  RESULT_VARIABLE result ERROR_VARIABLE output OUTPUT_VARIABLE output_stdout)
string(APPEND output "${output_stdout}")
if(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but must not")
endif()
string(FIND "${output}" "${expected}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "the compiler did not say \"${expected}\":\n${output}")
endif()
string(REGEX MATCHALL "error:" errors "${output}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "${error_count} errors instead of the one static_assert:\n${output}")
endif()
