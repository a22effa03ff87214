#!/usr/bin/env bash
# The gradients' benchmarks next to TensorFlow's gradient ops, in one command: builds the bench module with the
# peers and runs GradientSuite with the given arguments, e.g.
#
#   bench/gradients.sh --forks 2 --out bench/results/$(date +%F)-gradients
#
# Writes gradients.json (JMH), gradients.md (table) and gradients-*.png into --out.
exec "$(dirname "${BASH_SOURCE[0]}")/run-main.sh" org.deconv3d.bench.GradientSuite "$@"
