#!/usr/bin/env bash
# The full benchmark suite in one command: builds the bench module with the peers and runs BenchSuite with the
# given arguments, e.g.
#
#   bench/suite.sh --forks 2 --out bench/results/$(date +%F)
#
# Writes results.json (JMH), results.md (table) and chart-*.png into --out. `./deconv3d bench` is the quick version.
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" org.deconv3d.bench.BenchSuite "$@"
