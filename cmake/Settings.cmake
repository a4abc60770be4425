# sohound_settings: warnings and optional sanitizers for Sohound's own code, so the harness can run
# under the same tools it orchestrates (configure with -DSOHOUND_SANITIZE=address,undefined).
add_library(sohound_settings INTERFACE)
target_compile_options(sohound_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wformat=2 -Wimplicit-fallthrough
  # GCC 12 flags Asio's awaitable frame allocator (its own operator new/delete pair) as mismatched.
  -Wno-mismatched-new-delete
  -fno-omit-frame-pointer)
# Boost.Process v2 uses std::filesystem instead of Boost.Filesystem when this is set.
target_compile_definitions(sohound_settings INTERFACE BOOST_PROCESS_USE_STD_FS BOOST_ASIO_NO_DEPRECATED)
if(SOHOUND_SANITIZE)
  target_compile_options(sohound_settings INTERFACE -fsanitize=${SOHOUND_SANITIZE})
  target_link_options(sohound_settings INTERFACE -fsanitize=${SOHOUND_SANITIZE})
endif()

# The fuzz build (Clang only): every library object gets coverage for libFuzzer plus ASan and UBSan,
# and UBSan stops at the first report so a fuzz run fails on undefined behaviour.
if(SOHOUND_FUZZ)
  target_compile_options(sohound_settings INTERFACE -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
    -Wno-unused-command-line-argument)
  target_link_options(sohound_settings INTERFACE -fsanitize=address,undefined)
endif()
