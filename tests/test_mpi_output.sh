#!/usr/bin/env bash
# Output-parallel training (makemore-mpi train --parallel output,
# docs/SCALING.md): each process owns rows [V r / N, V (r + 1) / N) of the
# output layer and computes the whole batch.
#  - N = 1, 2, 3 against `makemore train` with the same flags, 1,000 steps,
#    for the lecture MLP with --direct (--init scaled) and a GRU: train and
#    dev loss within 1e-4 (the split softmax sums in another order; with a
#    well-conditioned start that stays at float rounding); 300 steps of
#    makemore-mlp and a transformer on N = 2;
#  - word tokens (--tokens word --min-count 2, a made-up grammar): the MLP
#    with --direct on N = 1, 2, 3 and a GRU on N = 2, 300 steps, within
#    1e-4 of one process; N = 2 twice gives the same bits; plain makemore
#    evaluates, samples and gives the next word's probabilities;
#  - the same N twice gives the same parameters bit for bit;
#  - the model file is a single process's: plain makemore evaluates,
#    samples and gives probabilities from it, and finds the loss the run
#    reported;
#  - resume across N and modes: output on 2 -> output on 3, data on 2 ->
#    output on 3, output on 2 -> one process, each ending where one process
#    ends;
#  - faults: SIGTERM/SIGINT to the processes (save, exit 143/130, one
#    message), SIGKILL to one process (the job ends within 30 s, the last
#    save loads), bad input on one process, a vocabulary smaller than N, a
#    kind without an output layer to split, a bad --parallel.
#   MAKEMORE      the single-process binary
#   MAKEMORE_MPI  makemore-mpi; unset or missing: the test is skipped
#   NAMES_TXT     names.txt (else a made-up list of names)
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/mpi_lib.sh"
plan 31
BASE=(-i names.txt --max-steps 1000 --samples 0 --lr-find 0 --json -t 1)
OUT=(--parallel output)
MLP=(--init scaled --direct)
GRU=(--model gru --n-embd 16 --n-hidden 32 --optimizer adamw --learning-rate 0.005)

# $1 name, $2 tolerance, $3 the N to run ("1 2 3"), rest: flags.
compare_n() {
    local name=$1 tol=$2 ns=$3; shift 3
    "$M" train -o "$name.1p" "${BASE[@]}" "$@" >"$name.1p.json" 2>"$name.1p.err" ||
        { bad "$name: makemore train failed: $(tail -n 1 "$name.1p.err")"; return; }
    local tr dv
    tr=$(field "$name.1p.json" train_loss); dv=$(field "$name.1p.json" dev_loss)
    for n in $ns; do
        if ! timeout 300 "${MPIRUN[@]}" -np "$n" "$MPI_BIN" train "${OUT[@]}" -o "$name.n$n" "${BASE[@]}" "$@" \
            >"$name.n$n.json" 2>"$name.n$n.err"; then
            bad "$name: N=$n failed: $(grep -m1 makemore "$name.n$n.err")"
            continue
        fi
        local t2 d2
        t2=$(field "$name.n$n.json" train_loss); d2=$(field "$name.n$n.json" dev_loss)
        close "$tr" "$t2" "$tol" && close "$dv" "$d2" "$tol" &&
            ok "$name: output-parallel N=$n train $t2 dev $d2, one process $tr $dv (within $tol)" ||
            bad "$name: output-parallel N=$n train $t2 dev $d2, one process $tr $dv: beyond $tol"
    done
}

compare_n mlp 1e-4 "1 2 3" "${MLP[@]}"
compare_n gru 1e-4 "1 2 3" "${GRU[@]}"
compare_n mmlp 1e-4 "2" --model makemore-mlp --n-embd 16 --n-hidden 32 --optimizer adamw \
    --learning-rate 0.005 --max-steps 300
compare_n tfm 1e-4 "2" --model transformer --n-embd 16 --n-layers 1 --n-head 2 --optimizer adamw \
    --learning-rate 0.005 --max-steps 300

# Same N twice: the same bits (the export holds every parameter)
for spec in "mlp 2" "mlp 3" "gru 2"; do
    set -- $spec
    name=$1 n=$2
    flags=("${MLP[@]}"); [ "$name" = gru ] && flags=("${GRU[@]}")
    timeout 300 "${MPIRUN[@]}" -np "$n" "$MPI_BIN" train "${OUT[@]}" -o "$name.again$n" "${BASE[@]}" \
        "${flags[@]}" >/dev/null 2>&1 &&
        "$M" export -o "$name.n$n" --safetensors a.st 2>/dev/null &&
        "$M" export -o "$name.again$n" --safetensors b.st 2>/dev/null && cmp -s a.st b.st &&
        ok "$name: two output-parallel runs with N=$n give the same parameters bit for bit" ||
        bad "$name: two output-parallel runs with N=$n differ (or failed)"
done

# The model file needs no MPI: eval finds the run's own train loss, sample and probs work
ev=$("$M" eval -o mlp.n3 -i names.txt --json -t 1 2>/dev/null)
t3=$(field mlp.n3.json train_loss)
tr=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["train_loss"])' "$ev" 2>/dev/null)
close "${tr:-nan}" "${t3:-nan}" 1e-6 && ok "makemore eval of the N=3 model: train $tr, as the run reported" ||
    bad "makemore eval of the N=3 model: train '$tr', the run reported '$t3'"
n=$("$M" sample -o mlp.n3 -n 5 --seed 1 2>/dev/null | wc -l)
"$M" probs -o mlp.n3 --prefix em --json >probs.json 2>/dev/null
"$PY" -c 'import json,sys; p=json.load(open("probs.json"))["probs"]
sys.exit(abs(sum(x["prob"] for x in p) - 1) > 1e-3)' 2>/dev/null && [ "$n" = 5 ] &&
    ok "makemore sample and probs of the N=3 model: 5 items, probabilities sum to 1" ||
    bad "makemore sample/probs of the N=3 model: $n items; probs: $(head -c 200 probs.json)"

# Word tokens (issue 19: both token modes). A made-up grammar of about
# 4,600 words, 300 nouns and verbs drawn with a skew so some appear once and
# become <unk> under --min-count 2.
awk 'BEGIN { srand(7); split("ka lo mi re su ta ne po vi da", s, " ")
    for (i = 0; i < 240; i++) noun[i] = s[1 + i % 10] s[1 + int(i / 10) % 10] (i >= 100 ? s[1 + int(i / 100)] : "")
    for (i = 0; i < 60; i++) verb[i] = s[1 + i % 10] "r" s[1 + int(i / 10)] "s"
    for (l = 0; l < 700; l++) {
        w = "the " noun[int(240 * rand() ^ 3)] " " verb[int(60 * rand() ^ 2)] " the " noun[int(240 * rand() ^ 3)]
        if (rand() < 0.5) w = w " of the " noun[int(240 * rand() ^ 3)]
        print w } }' >words.txt
BASE=(-i words.txt --tokens word --min-count 2 --max-steps 300 --samples 0 --lr-find 0 --json -t 1)
compare_n wmlp 1e-4 "1 2 3" "${MLP[@]}"
compare_n wgru 1e-4 "2" "${GRU[@]}"
timeout 300 "${MPIRUN[@]}" -np 2 "$MPI_BIN" train "${OUT[@]}" -o wmlp.again2 "${BASE[@]}" "${MLP[@]}" \
    >/dev/null 2>&1 &&
    "$M" export -o wmlp.n2 --safetensors a.st 2>/dev/null &&
    "$M" export -o wmlp.again2 --safetensors b.st 2>/dev/null && cmp -s a.st b.st &&
    ok "words: two output-parallel runs with N=2 give the same parameters bit for bit" ||
    bad "words: two output-parallel runs with N=2 differ (or failed)"
ev=$("$M" eval -o wmlp.n2 -i words.txt --json -t 1 2>/dev/null)
t2=$(field wmlp.n2.json train_loss)
tr=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["train_loss"])' "$ev" 2>/dev/null)
n=$("$M" sample -o wmlp.n2 -n 5 --seed 1 2>/dev/null | wc -l)
"$M" probs -o wmlp.n2 --prefix "the kaka" --json >wprobs.json 2>/dev/null
close "${tr:-nan}" "${t2:-nan}" 1e-6 && [ "$n" = 5 ] && "$PY" -c 'import json,sys
p=json.load(open("wprobs.json"))["probs"]
sys.exit(abs(sum(x["prob"] for x in p) - 1) > 1e-3 or not all("word" in x for x in p))' 2>/dev/null &&
    ok "words: makemore eval of the N=2 model finds train $tr as reported; sample gives 5, probs of \"the kaka\" sum to 1" ||
    bad "words: eval train '$tr' (run '$t2'), $n samples; probs: $(head -c 200 wprobs.json)"
BASE=(-i names.txt --max-steps 1000 --samples 0 --lr-find 0 --json -t 1)

# Resume across N and modes: 400 steps, then to 1,000 (the decay step of a
# 1,000-step run); ends where one process ends
resume_case() { # name, first command (after -o DIR), second command
    local name=$1 first=$2 second=$3 t1 d1 t2 d2 s2
    eval "$first" >/dev/null 2>"$name.err" && eval "$second" >"$name.json" 2>>"$name.err"
    t1=$(field mlp.1p.json train_loss); d1=$(field mlp.1p.json dev_loss)
    t2=$(field "$name.json" train_loss); d2=$(field "$name.json" dev_loss); s2=$(field "$name.json" steps)
    [ "$s2" = 1000 ] && close "$t1" "${t2:-nan}" 1e-4 && close "$d1" "${d2:-nan}" 1e-4 &&
        ok "resume $name: train $t2 dev $d2 at step $s2, one process $t1 $d1" ||
        bad "resume $name: step '$s2', train '$t2' dev '$d2'; one process $t1 $d1: $(grep -m1 makemore "$name.err")"
}
FIRST=(-i names.txt --max-steps 400 --lr-decay-step 500 --samples 0 --lr-find 0 -t 1 "${MLP[@]}")
REST=(--resume --max-steps 1000 --json --samples 0 -t 1)
resume_case out2-out3 '"${MPIRUN[@]}" -np 2 "$MPI_BIN" train "${OUT[@]}" -o r1 "${FIRST[@]}"' \
    'timeout 300 "${MPIRUN[@]}" -np 3 "$MPI_BIN" train "${OUT[@]}" -o r1 "${REST[@]}"'
resume_case data2-out3 '"${MPIRUN[@]}" -np 2 "$MPI_BIN" train -o r2 "${FIRST[@]}"' \
    'timeout 300 "${MPIRUN[@]}" -np 3 "$MPI_BIN" train "${OUT[@]}" -o r2 "${REST[@]}"'
resume_case out2-alone '"${MPIRUN[@]}" -np 2 "$MPI_BIN" train "${OUT[@]}" -o r3 "${FIRST[@]}"' \
    '"$M" train -o r3 "${REST[@]}"'
resume_case out3-data2 '"${MPIRUN[@]}" -np 3 "$MPI_BIN" train "${OUT[@]}" -o r4 "${FIRST[@]}"' \
    'timeout 300 "${MPIRUN[@]}" -np 2 "$MPI_BIN" train -o r4 "${REST[@]}"'

# SIGTERM and SIGINT to the processes: every one stops at the same step,
# rank 0 gathers the rows and saves
for sig in TERM INT; do
    start_long "sig$sig" "${OUT[@]}" --direct
    kill -"$sig" $(pgrep -P "$bg") 2>/dev/null
    wait_bg 30
    want=$([ $sig = TERM ] && echo 143 || echo 130)
    step=$(sed -n "s/.*stopped by SIG$sig at step \([0-9]*\).*/\1/p" "sig$sig.err" | head -n 1)
    n=$(grep -c "stopped by SIG$sig" "sig$sig.err")
    [ "$rc" = "$want" ] && [ "$n" = 1 ] && [ -n "$step" ] && [ "$(loads_at "sig$sig")" = "$step" ] &&
        ok "SIG$sig to the processes: mpirun exits $rc, one message, model.bin loads at step $step" ||
        bad "SIG$sig to the processes: status $rc (want $want), $n messages, step '$step': $(tail -n 2 "sig$sig.err")"
done
# the run stopped by SIGTERM goes on with 3 processes, then alone: the
# gathered rows are the ones each process trained (losses continue smoothly)
term_step=$(loads_at sigTERM)
"${MPIRUN[@]}" -np 3 "$MPI_BIN" train "${OUT[@]}" -o sigTERM --resume --max-steps $((term_step + 50)) \
    --samples 0 -t 1 >/dev/null 2>resume.err && [ "$(loads_at sigTERM)" = $((term_step + 50)) ] &&
    ok "the run stopped on 2 processes resumes on 3 to step $((term_step + 50))" ||
    bad "resuming the stopped run failed: $(tail -n 1 resume.err)"

# SIGKILL to one process: the job ends, non-zero, and the last save loads
check_sigkill "${OUT[@]}"

# Bad input: every process exits 2 and one message is printed
bad_case() { # what, regex, np, command...
    local what=$1 want=$2 np=$3; shift 3
    timeout 60 "${MPIRUN[@]}" -np "$np" "$@" >bad.out 2>bad.err
    local rc=$? n
    n=$(grep -c '^makemore' bad.err)
    [ "$rc" = 2 ] && [ "$n" = 1 ] && grep -qE -- "$want" bad.err &&
        ok "$what: exit 2, one message: $(grep -m1 '^makemore' bad.err | head -c 140)" ||
        bad "$what: status $rc (want 2; 124 is a hang), $n messages: $(head -c 400 bad.err)"
}
bad_case "missing input on one process" "missing.txt" 3 bash -c 'f=names.txt; [ "$OMPI_COMM_WORLD_RANK" = 1 ] && f=missing.txt
    exec "$0" train --parallel output -i "$f" -o badone --max-steps 10 --samples 0 --lr-find 0' "$MPI_BIN"
printf 'ab\nba\naab\nbba\nabab\nbaba\naabb\nbbaa\n' >tiny.txt
bad_case "a vocabulary of 3 on 4 processes" "vocabulary has 3 tokens.*4 processes" 4 \
    "$MPI_BIN" train --parallel output -i tiny.txt -o badvocab --max-steps 10 --samples 0 --lr-find 0
bad_case "a kind without an output layer to split" "bigram kind has no output layer" 2 \
    "$MPI_BIN" train --parallel output --model bigram -i names.txt -o badkind --max-steps 10
bad_case "a bad --parallel" "--parallel 'rows'" 2 "$MPI_BIN" train --parallel rows -i names.txt -o badpar
finish
