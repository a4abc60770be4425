#!/bin/sh
# A test started through a wrapper: the program is the first argument.
program=$1
shift
exec "$program" "$@"
