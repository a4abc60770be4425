#!/bin/sh
# A test started through a wrapper, as many projects do: the program is the first argument.
set -e
program=$1
shift
exec "$program" "$@"
