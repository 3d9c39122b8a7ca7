#!/usr/bin/env bash
# docs/SCALING.md's output-parallel table: makemore-mpi bench (random
# examples, the step's cost does not depend on them) for the paper's MLP
# (context 4, 60 features, 50 hidden, direct connections, batch 256) at
# vocabularies of 17,905 (Brown with frequencies <= 3 merged, as the paper
# counts), 50,000 and 200,000, on 1 and 2 processes, data- and
# output-parallel. ROUNDS alternating rounds; prints one JSON line a run.
#   make MPI=1 first; ROUNDS (3), STEPS (10), VOCABS ("17905 50000 200000")
set -u
cd "$(dirname "$0")/.." || exit 1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
ROUNDS=${ROUNDS:-3} STEPS=${STEPS:-10}
SHAPE=(--model mlp --block-size 4 --n-embd 60 --n-hidden 50 --direct --batch-size 256 -t 1 --warmup 2)
echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')" >&2
for round in $(seq 1 "$ROUNDS"); do
    for V in ${VOCABS:-17905 50000 200000}; do
        for run in "1 data" "1 output" "2 data" "2 output"; do
            set -- $run
            mpirun --oversubscribe --bind-to none -np "$1" ./makemore-mpi bench --parallel "$2" --vocab "$V" \
                --steps "$STEPS" "${SHAPE[@]}" || echo "{\"failed\": \"$V $run\"}"
        done
    done
    echo "# round $round done $(date -u +%TZ) $(uptime | sed 's/.*load/load/')" >&2
done
