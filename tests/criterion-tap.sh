#!/bin/sh
# Run one Criterion test binary with its report as TAP on stdout (for automake's TAP driver).
# Criterion's own progress output goes to stderr, which the driver keeps in the .log file.
exec "$@" --tap=- --jobs=1
