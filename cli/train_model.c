#include "train_model.h"

#include <stdio.h>
#include <string.h>

#include "kind.h"

_Static_assert((int)ARG_FLAG == (int)MM_VAL_FLAG && (int)ARG_STRING == (int)MM_VAL_STRING &&
               (int)ARG_DOUBLE == (int)MM_VAL_DOUBLE && (int)ARG_U64 == (int)MM_VAL_U64 &&
               (int)ARG_LONG == (int)MM_VAL_LONG && (int)ARG_INT == (int)MM_VAL_INT,
               "arg_type follows mm_value_type");

void run_flags_specs(arg_spec *s, mm_settings *set)
{
    for (int i = 0; i < mm_settings_count(); i++) {
        const mm_setting *t = mm_setting_at(i);
        s[i] = (arg_spec){t->name, t->alias, (arg_type)t->type, mm_setting_value(set, i), t->min, t->max,
                          t->help, 0};
    }
}

static const char *find_preset_name(int argc, char **argv)
{
    const char *name = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--preset") && i + 1 < argc) name = argv[++i];
        else if (!strncmp(argv[i], "--preset=", 9)) name = argv[i] + 9;
    }
    return name;
}

int run_flags_preset(mm_settings *set, int argc, char **argv)
{
    const char *name = find_preset_name(argc, argv);
    mm_err err;
    if (name && mm_settings_preset(set, name, &err)) return cli_error("%s", err.msg);
    return 0;
}

void run_flags_given(mm_settings *set, arg_spec *specs, int nspecs)
{
    for (int i = 0; i < nspecs; i++) {
        int k = mm_setting_find(specs[i].name);
        if (k < 0) continue;
        set->given[k] |= (unsigned char)specs[i].seen;
        specs[i].seen = set->given[k];
    }
}

int run_flags_list(const mm_settings *set)
{
    if (!strcmp(set->model, "list")) {
        for (int i = 0; i < mm_kind_count(); i++) {
            const mm_kind *k = mm_kind_at(i);
            if (k) printf("%-12s %s\n", k->name, k->summary);
        }
        return 1;
    }
    if (!strcmp(set->optimizer, "list")) {
        for (int i = 0; i < mm_optim_count(); i++) {
            const mm_optimizer *o = mm_optimizer_at(i);
            if (o) printf("%-12s %s\n", o->name, o->summary);
        }
        return 1;
    }
    return 0;
}

static int resume_mismatch(const char *flag, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    return cli_error("%s disagrees with the checkpoint (model %s, %d layers, %d heads%s, bn momentum %g, "
                     "dropout %g, optimizer %s); drop it to resume, or train afresh in another -o folder", flag,
                     r->model.kind->name, c->n_layers, c->n_heads, c->direct ? ", direct" : "",
                     (double)c->bn_momentum, (double)c->dropout, mm_optim_name(r->train.optim.kind));
}

int run_flags_check_resume(const mm_settings *f, const mm_run *r)
{
    const mm_config *c = &r->model.cfg;
    if (mm_settings_given(f, "--model") && mm_kind_find(f->model) != c->kind) return resume_mismatch("--model", r);
    if (mm_settings_given(f, "--n-layers") && f->n_layers != c->n_layers) return resume_mismatch("--n-layers", r);
    if (mm_settings_given(f, "--n-head") && f->n_heads != c->n_heads) return resume_mismatch("--n-head", r);
    if (mm_settings_given(f, "--direct") && !c->direct) return resume_mismatch("--direct", r);
    if (mm_settings_given(f, "--bn-momentum") && (float)f->bn_momentum != c->bn_momentum)
        return resume_mismatch("--bn-momentum", r);
    if (mm_settings_given(f, "--dropout") && (float)f->dropout != c->dropout) return resume_mismatch("--dropout", r);
    if (mm_settings_given(f, "--optimizer") && mm_optim_find(f->optimizer) != (int)r->train.optim.kind)
        return resume_mismatch("--optimizer", r);
    return 0;
}
