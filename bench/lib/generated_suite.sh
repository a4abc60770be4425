# The generated benchmark suite (sourced by bench/suite_scale.sh and bench/shards.sh): an N-feature
# C suite of a prebuilt library, and the same features as hand-written CTest drivers. Most features
# are clean; every 10th+3 leaks a block (definitely lost); every 10th+7 increments an unlocked
# counter from two threads (a data race).
# With language=cxx (a third argument), the suite is C++ and every feature includes yaml-cpp's
# header and parses a little YAML (a C++ suite with heavy headers; no CTest drivers are written).
generate() {  # dir N [c|cxx]
  local dir=$1 n=$2 language=${3:-c}
  mkdir -p "$dir/lib" "$dir/ctest/src"
  cat >"$dir/lib/bench.h" <<'EOF'
#ifndef BENCH_H
#define BENCH_H
#ifdef __cplusplus
extern "C" {
#endif
int bench_sum(const int *values, int count);
void *bench_make(int size);
void bench_free(void *p);
void bench_count(void);
int bench_counter(void);
#ifdef __cplusplus
}
#endif
#endif
EOF
  cat >"$dir/lib/bench.c" <<'EOF'
#include "bench.h"
#include <stdlib.h>
#include <string.h>
static int counter;
int bench_sum(const int *values, int count) { int s = 0; for (int i = 0; i < count; ++i) s += values[i]; return s; }
void *bench_make(int size) { void *p = malloc((size_t)size); if (p) memset(p, 1, (size_t)size); return p; }
void bench_free(void *p) { free(p); }
void bench_count(void) { counter = counter + 1; }
int bench_counter(void) { return counter; }
EOF
  gcc -g -O0 -fPIC -shared "$dir/lib/bench.c" -o "$dir/lib/libbench.so"
  {
    echo "suite: bench"
    echo "library:"
    echo "  path: lib/libbench.so"
    echo "  include-dirs: [lib]"
    if [[ $language == cxx ]]; then
      echo "language: cxx"
      echo "includes: [bench.h, cstdlib, vector, yaml-cpp/yaml.h]"
      echo "ldflags: [-lyaml-cpp]"
    else
      echo "includes: [bench.h, stdlib.h]"
    fi
    echo "features:"
  } >"$dir/bench.yaml"
  for ((i = 0; i < n; ++i)); do
    local body threads=1 kind=clean
    if ((i % 10 == 3)); then
      kind=leak
      body="void *p = bench_make(32 + $i); (void)p;"
    elif ((i % 10 == 7)); then
      kind=race
      threads=2
      body="for (int k = 0; k < 100; ++k) bench_count();"
    elif [[ $language == cxx ]]; then
      body="std::vector<int> v{$i, 1, 2, 3, 4, 5, 6, 7}; YAML::Node n = YAML::Load(\"[$i, 2]\"); if (n.size() != 2 || bench_sum(v.data(), 8) < 0) abort();"
    else
      body="int v[8] = {$i, 1, 2, 3, 4, 5, 6, 7}; void *p = bench_make(16); if (bench_sum(v, 8) < 0) abort(); bench_free(p);"
    fi
    {
      echo "  - name: f$i"
      ((threads > 1)) && echo "    threads: $threads"
      echo "    code: |"
      echo "      $body"
    } >>"$dir/bench.yaml"
    [[ $language == cxx ]] && continue
    # The same feature as a hand-written CTest driver.
    if [[ $kind == race ]]; then
      cat >"$dir/ctest/src/f$i.c" <<EOF
#include "bench.h"
#include <pthread.h>
#include <stdlib.h>
static void *body(void *arg) { (void)arg; $body return NULL; }
int main(void) { pthread_t a, b; pthread_create(&a, NULL, body, NULL); pthread_create(&b, NULL, body, NULL);
  pthread_join(a, NULL); pthread_join(b, NULL); return 0; }
EOF
    else
      cat >"$dir/ctest/src/f$i.c" <<EOF
#include "bench.h"
#include <stdlib.h>
int main(void) { $body return 0; }
EOF
    fi
  done
  cat >"$dir/ctest/CMakeLists.txt" <<EOF
cmake_minimum_required(VERSION 3.20)
project(bench_ctest C)
include(CTest)
file(GLOB drivers \${CMAKE_SOURCE_DIR}/src/*.c)
foreach(driver \${drivers})
  get_filename_component(name \${driver} NAME_WE)
  add_executable(\${name} \${driver})
  target_include_directories(\${name} PRIVATE $dir/lib)
  target_link_libraries(\${name} PRIVATE $dir/lib/libbench.so pthread)
  add_test(NAME \${name} COMMAND \${name})
endforeach()
EOF
}

