#!/usr/bin/env bash
# The optimizers and the model family from the command line: a run stopped
# and resumed ends bit for bit where an uninterrupted one does (optimizer
# state and batch-norm running statistics included), every kind samples and
# evaluates, and bad flags get one line naming the flag and exit status 2.
source "$(dirname "$0")/lib.sh"
plan 47

for i in $(seq 1 400); do
    printf '%s\n' anna bob carla dmitri elena farouk gita hiro ines jomo kaia lars mira noor | sed -n "$(( i % 14 + 1 ))p"
done > "$tmp/small.txt"

T=(train -i "$tmp/small.txt" --threads 1 --samples 0 --lr-find 0)
expect_error "unknown optimizer" "--optimizer" "$MM" "${T[@]}" -o "$tmp/e" --optimizer adam
expect_error "unknown schedule" "--lr-schedule" "$MM" "${T[@]}" -o "$tmp/e" --lr-schedule linear
expect_error "beta1 out of range" "--beta1" "$MM" "${T[@]}" -o "$tmp/e" --beta1 1.5
expect_error "min-lr above the learning rate" "--min-lr" "$MM" "${T[@]}" -o "$tmp/e" --lr-schedule cosine --min-lr 5
expect_error "unknown model" "--model" "$MM" "${T[@]}" -o "$tmp/e" --model lstm
expect_error "unknown preset" "--preset" "$MM" "${T[@]}" -o "$tmp/e" --preset huge
expect_error "--n-layers needs bnmlp" "--n-layers" "$MM" "${T[@]}" -o "$tmp/e" --n-layers 3
expect_error "--direct needs mlp" "--direct" "$MM" "${T[@]}" -o "$tmp/e" --model wavenet --direct
expect_error "wavenet needs a power-of-two block" "--block-size" "$MM" "${T[@]}" -o "$tmp/e" --model wavenet --block-size 6
expect_error "batch norm needs two rows" "--batch-size" "$MM" "${T[@]}" -o "$tmp/e" --model bnmlp --batch-size 1
expect_error "--bn-momentum needs batch norm" "--bn-momentum is not a setting of --model mlp" "$MM" "${T[@]}" -o "$tmp/e" --bn-momentum 0.1
expect_error "--n-head needs a model with heads" "--n-head" "$MM" "${T[@]}" -o "$tmp/e" --model bnmlp --n-head 2
check "--model list names every kind with a description" bash -c "'$MM' train --model list >'$tmp/list' &&
    grep -q '^mlp .*MLP' '$tmp/list' && grep -q '^bnmlp ' '$tmp/list' && grep -q '^wavenet ' '$tmp/list'"
check "--help lists the new flags" bash -c "'$MM' train --help >'$tmp/help' && grep -q -- '--optimizer' '$tmp/help' && grep -q -- '--preset' '$tmp/help'"

# name, flags...: 300 steps straight, and 120 + resume to 300, must agree
resume_case() {
    local name=$1; shift
    local args=("${T[@]}" --batch-size 16 --seed 7 --lr-decay-step 300 "$@")
    "$MM" "${args[@]}" -o "$tmp/$name.a" --max-steps 300 --json --save-every 0 >"$tmp/$name.a.json" 2>"$tmp/err"
    check "$name: 300 steps" test $? -eq 0
    "$MM" "${args[@]}" -o "$tmp/$name.b" --max-steps 120 --json >/dev/null 2>"$tmp/err" &&
        "$MM" train -o "$tmp/$name.b" --resume --max-steps 300 --json --samples 0 >"$tmp/$name.b.json" 2>"$tmp/err"
    check "$name: 120 steps, then resumed to 300" test $? -eq 0
    "$MM" export -o "$tmp/$name.a" --safetensors "$tmp/$name.a.st" 2>/dev/null
    "$MM" export -o "$tmp/$name.b" --safetensors "$tmp/$name.b.st" 2>/dev/null
    check "$name: resumed weights (and running statistics) equal the straight run's bit for bit" \
        cmp -s "$tmp/$name.a.st" "$tmp/$name.b.st"
    check "$name: resumed log.csv equals the straight run's" cmp -s "$tmp/$name.a/log.csv" "$tmp/$name.b/log.csv"
    check "$name: training lowers the loss" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/$name.a.json')); sys.exit(0 if d['train_loss'] < d['init_train_loss'] - 0.3 else 1)"
}
resume_case adamw --optimizer adamw --learning-rate 0.01 --lr-schedule cosine --warmup-steps 20 \
    --min-lr 0.001 --weight-decay 0.01 --n-hidden 32
resume_case momentum --optimizer momentum --momentum 0.9 --learning-rate 0.02 --weight-decay 0.001 --n-hidden 32
expect_error "resume with another optimizer" "--optimizer" "$MM" train -o "$tmp/adamw.b" --resume --optimizer sgd
resume_case bnmlp --model bnmlp --n-layers 2 --n-hidden 24 --optimizer adamw --learning-rate 0.01 --bn-momentum 0.1
resume_case wavenet --model wavenet --block-size 4 --n-embd 6 --n-hidden 16 --learning-rate 0.1

# every kind: eval agrees with train's final numbers, sampling works and is repeatable
for name in bnmlp wavenet; do
    check "$name: eval (running statistics) matches train's final dev loss" /usr/bin/python3 -c "
import json,subprocess,sys
d=json.load(open('$tmp/$name.a.json'))
e=json.loads(subprocess.check_output(['$MM','eval','-o','$tmp/$name.a','--json']))
sys.exit(0 if abs(e['dev_loss']-d['dev_loss'])<1e-6 and d['model']=='$name' else 1)"
    "$MM" sample -o "$tmp/$name.a" -n 30 --seed 3 >"$tmp/s1" 2>/dev/null
    "$MM" sample -o "$tmp/$name.a" -n 30 --seed 3 >"$tmp/s2" 2>/dev/null
    check "$name: sample prints 30 items, the same for the same seed" bash -c "[ \$(wc -l < '$tmp/s1') -eq 30 ] && cmp -s '$tmp/s1' '$tmp/s2'"
    check "$name: samples use only the training characters" bash -c "! cut -f1 '$tmp/s1' | grep -q '[^abcdefghijklmnoprstu]'"
done
check "wavenet's JSON reports its parameters without the running statistics" /usr/bin/python3 -c "
import json,sys
d=json.load(open('$tmp/wavenet.a.json')); V=d['vocab_size']
E,H=6,16; want=V*E + (2*E*H+2*H) + (2*H*H+2*H) + H*V+V  # context 4: two fused layers
sys.exit(0 if d['params']==want else 1)"
"$MM" "${T[@]}" -o "$tmp/deep16" --model bnmlp --n-layers 16 --n-hidden 8 --max-steps 0 >/dev/null 2>&1 &&
    "$MM" export -o "$tmp/deep16" --safetensors "$tmp/deep16.st" 2>/dev/null
check "a 16-layer bnmlp exports all its 83 tensors as safetensors" /usr/bin/python3 -c "
import json,struct,sys
raw=open('$tmp/deep16.st','rb').read(); n=struct.unpack('<Q',raw[:8])[0]; h=json.loads(raw[8:8+n])
sys.exit(0 if len(h)-1==83 and 'bn16_var' in h and h['Wo']['shape'][0]==8 else 1)"

# presets expand to flags; flags given beside them win
preset_json() { "$MM" "${T[@]}" -o "$tmp/p" --force --max-steps 0 --json "$@" 2>/dev/null; }
check "--preset lecture is the defaults" /usr/bin/python3 -c "
import json,subprocess,sys
a=json.loads(subprocess.check_output(['$MM','train','-i','$tmp/small.txt','-o','$tmp/p1','--max-steps','0','--json','--samples','0','--lr-find','0'],stderr=subprocess.DEVNULL))
b=json.loads(subprocess.check_output(['$MM','train','-i','$tmp/small.txt','-o','$tmp/p2','--max-steps','0','--json','--samples','0','--lr-find','0','--preset','lecture'],stderr=subprocess.DEVNULL))
keys='model optimizer block_size n_embd n_hidden batch_size params init_dev_loss'.split()
sys.exit(0 if all(a[k]==b[k] for k in keys) and a['model']=='mlp' and a['n_hidden']==200 else 1)"
preset_json --preset best >"$tmp/best.json"
check "--preset best: gru, E 256, H 256, dropout 0.5, batch 64, adamw" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/best.json'))
sys.exit(0 if (d['model'],d['n_embd'],d['n_hidden'],d['dropout'],d['batch_size'],d['optimizer'],d['threads'])==('gru',256,256,0.5,64,'adamw',1) else 1)"
preset_json --preset small --n-hidden 20 >"$tmp/small.json"
check "--preset small with --n-hidden 20: the flag wins" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/small.json'))
sys.exit(0 if (d['model'],d['n_embd'],d['n_hidden'],d['batch_size'])==('gru',16,20,64) else 1)"
if [ -n "${NAMES_TXT:-}" ]; then
    "$MM" train -i "$NAMES_TXT" -o "$tmp/ps" --preset small --max-steps 0 --json --samples 0 --lr-find 0 >"$tmp/ps.json" 2>/dev/null
    check "--preset small on names.txt has at most 12,000 parameters" /usr/bin/python3 -c "
import json,sys; d=json.load(open('$tmp/ps.json')); print('# params', d['params']); sys.exit(0 if d['params']<=12000 else 1)"
else
    skip "--preset small on names.txt: set NAMES_TXT"
fi
finish
