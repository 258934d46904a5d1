# Test registration. Every tests/{unit,sim,e2e}/test_*.c is a cmocka program; every tests/e2e/test_*.sh is a shell test run with the built binaries.
# Labels: unit, sim, e2e (by directory) and slow (valgrind runs and tests of more than ~15 s), so
# that `ctest -L unit` or `ctest -LE slow` picks a part of the suite.
set(SLOW_TESTS test_signals test_menu_tmux test_handout_chromium test_sim_valgrind test_valgrind_demo test_deb
  test_crash_deploy test_crash_destroy test_crash_reset test_faults_balanced)
set(TEST_ENV
  "DS_BIN=${CMAKE_BINARY_DIR}/bin"
  "DS_SRC=${CMAKE_SOURCE_DIR}"
  "DS_VALGRIND_BIN=${DS_VALGRIND_BIN_DIR}"
  "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
  "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")

file(GLOB TEST_C_SRC CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/tests/unit/test_*.c ${CMAKE_SOURCE_DIR}/tests/sim/test_*.c
  ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.c)
file(GLOB TEST_HELPER_SRC CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/support/*.c)
foreach(src IN LISTS TEST_C_SRC)
  get_filename_component(name ${src} NAME_WE)
  get_filename_component(dir ${src} DIRECTORY)
  get_filename_component(kind ${dir} NAME)
  add_executable(${kind}_${name} ${src} ${TEST_HELPER_SRC})
  target_include_directories(${kind}_${name} PRIVATE ${CMAKE_SOURCE_DIR}/tests/support)
  target_link_libraries(${kind}_${name} dscore PkgConfig::CMOCKA)
  set_target_properties(${kind}_${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  add_test(NAME ${kind}/${name} COMMAND ${kind}_${name})
  set(labels ${kind})
  if(name IN_LIST SLOW_TESTS)
    list(APPEND labels slow)
  endif()
  set_tests_properties(${kind}/${name} PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300 SKIP_RETURN_CODE 77
                       LABELS "${labels}")
endforeach()

file(GLOB TEST_SH CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/tests/e2e/test_*.sh)
foreach(src IN LISTS TEST_SH)
  get_filename_component(name ${src} NAME_WE)
  add_test(NAME e2e/${name} COMMAND bash ${src})
  set(labels e2e)
  if(name IN_LIST SLOW_TESTS)
    list(APPEND labels slow)
  endif()
  set_tests_properties(e2e/${name} PROPERTIES ENVIRONMENT "${TEST_ENV}" TIMEOUT 300 SKIP_RETURN_CODE 77
                       LABELS "${labels}")
endforeach()

# The end-to-end tests once more, every deploy-stand run under valgrind (non-sanitized
# binaries of DS_VALGRIND_BIN_DIR): no invalid access, no definite leak.
if(DS_VALGRIND_BIN_DIR)
  foreach(name test_deploy test_cli_errors test_strategies test_faults test_library_cmds test_creds)
    add_test(NAME e2e/${name}_valgrind COMMAND e2e_${name})
    set_tests_properties(e2e/${name}_valgrind PROPERTIES
      ENVIRONMENT "DS_BIN=${DS_VALGRIND_BIN_DIR};DS_SRC=${CMAKE_SOURCE_DIR};DS_VALGRIND_WRAP=1"
      TIMEOUT 900 LABELS "e2e;slow")
  endforeach()
endif()
