#!/bin/sh
# A valgrind that dies mid-report: writes the first, complete part of a real memcheck XML report
# (captured when valgrind was SIGKILLed: testdata/valgrind/memcheck-sigkill-TRUNCATED.xml) to the
# --xml-file it is given, then exits as if killed. Used to test how Sohound handles a tool dying.
for arg in "$@"; do
  case "$arg" in
    --xml-file=*) xml=$(echo "${arg#--xml-file=}" | sed "s/%p/$$/") ;;
  esac
done
cat "$SOHOUND_TESTDATA/valgrind/memcheck-sigkill-TRUNCATED.xml" > "$xml"
echo "valgrind: the 'impossible' happened: killed by a test" >&2
exit 137
