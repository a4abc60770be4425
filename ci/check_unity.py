#!/usr/bin/env python3
"""Checks that Sohound still compiles as the main job builds it: a unity build (ci/examples.sh).

A unity build puts up to 16 source files into one translation unit, so two files that each define
a helper of the same name in an anonymous namespace, harmless when compiled one by one (as
ci/test.sh builds), no longer compile together. The test build never sees that; the main job on a
fresh machine did (a broken README command). This configures the main job's unity build in
BUILD_DIR and compiles each of its translation units with -fsyntax-only (about 45 s alone on 2
cores, 2-3 minutes beside the other tests, against 2 minutes alone for the real build): a clash
fails here with the compiler's message.

Usage: check_unity.py SOURCE_DIR BUILD_DIR
"""
import concurrent.futures
import json
import os
import shlex
import subprocess
import sys


def syntax_only(command):
    """The compile command without its output, dependency file or optimisation, checking only."""
    args, skip = [], False
    for arg in shlex.split(command):
        if skip:
            skip = False
        elif arg in ("-o", "-MT", "-MF"):
            skip = True
        elif arg in ("-c", "-MD", "-g") or arg.startswith("-O") or arg.endswith("ccache"):
            continue
        else:
            args.append(arg)
    return args[:1] + ["-fsyntax-only"] + args[1:]


def main():
    source, build = sys.argv[1], sys.argv[2]
    subprocess.run(
        # The main job's build (ci/examples.sh), as ci/examples.cmake says it.
        ["cmake", "-S", source, "-B", build, "-G", "Ninja", "-C", os.path.join(source, "ci", "examples.cmake"),
         "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON"],
        check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(build, "compile_commands.json"), encoding="utf-8") as f:
        units = [c for c in json.load(f) if "/Unity/" in c["file"]]
    if not units:
        sys.exit("check_unity: the unity build has no translation units (did CMake's unity build change?)")
    # Sources the build generates (the embedded driver runtime, the HTML report's assets): made first.
    generated = set()
    root = os.path.realpath(build) + "/"
    for unit in units:
        with open(unit["file"], encoding="utf-8") as f:
            for line in f:
                if line.startswith('#include "'):
                    path = os.path.realpath(line.split('"')[1])
                    if path.startswith(root) and not os.path.exists(path):
                        generated.add(path[len(root):])
    if generated:
        subprocess.run(["cmake", "--build", build, "--target", *sorted(generated)], check=True, stdout=subprocess.DEVNULL)

    def check(unit):
        done = subprocess.run(syntax_only(unit["command"]), cwd=unit["directory"], capture_output=True, text=True)
        return unit["file"], done.returncode, done.stderr

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as pool:
        for name, status, errors in pool.map(check, units):
            if status != 0:
                failed += 1
                print(f"check_unity: {name} does not compile as one unit:\n{errors}")
    print(f"check_unity: {len(units)} units, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
