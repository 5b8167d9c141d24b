#!/bin/sh
echo "coverage through bazel is not supported in this offline build" >&2
exit 1
