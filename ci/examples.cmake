# The main job's build (ci/examples.sh), and the unity build ci/check_unity.py checks: one place.
# Read with `cmake -C ci/examples.cmake`; FORCE, so a build folder configured before by ci/test.sh
# (tests, benchmarks, fuzz targets, debug information) is switched over rather than kept.
#
# Only what the examples need: no test, benchmark or fuzz target, and the program built as a unity
# build (a few large translation units: the shared headers, Asio above all, parsed once per batch
# of 16 files; 105 s instead of 224 s from scratch on 2 cores, no ccache, measured) without debug
# information (-O2 alone: 71 s instead of 119 s for the unity build, measured 2026-12-06; the job
# runs Sohound, it does not debug it). GCC's -Wsubobject-linkage is off: it fires only because a
# unity unit includes .cpp files, where a type in an anonymous namespace is expected.
set(SOHOUND_BUILD_TESTS OFF CACHE BOOL "" FORCE)
set(SOHOUND_BUILD_BENCH OFF CACHE BOOL "" FORCE)
set(SOHOUND_FUZZ_TESTS OFF CACHE BOOL "" FORCE)
set(CMAKE_UNITY_BUILD ON CACHE BOOL "" FORCE)
set(CMAKE_UNITY_BUILD_BATCH_SIZE 16 CACHE STRING "" FORCE)
set(CMAKE_BUILD_TYPE Release CACHE STRING "" FORCE)
set(CMAKE_CXX_FLAGS_RELEASE "-O2 -DNDEBUG -Wno-subobject-linkage" CACHE STRING "" FORCE)
set(CMAKE_C_FLAGS_RELEASE "-O2 -DNDEBUG" CACHE STRING "" FORCE)
