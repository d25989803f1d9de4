/* results_resume.c -- continuing an interrupted run: check that a partial
 * file is the same run, then copy its finished blocks into a new partial
 * (see "checkpoints and resume" in results.c).  See results_impl.h. */
#include "results_impl.h"

/* Code rc with e's message and what it means for the resume. */
static int cannot_resume(ipsim_error *err, int rc, const ipsim_error *e)
{
    return ipsim_error_set(err, rc, "%s; the run cannot be resumed (run it again without "
                           "--resume)", e->msg);
}

/* EIO "FILE: cannot WHAT: HDF5's words; the run cannot be resumed ...". */
static int not_resumable(ipsim_error *err, const char *file, const char *what)
{
    ipsim_error e = {0};
    return cannot_resume(err, rs_h5_error(&e, file, what), &e);
}

/* Attribute `name` of obj as text ("a, b, c" for arrays), "(none)" if it
 * has none; for telling the user what differs. */
static void attr_text(hid_t obj, const char *name, char *buf, size_t size)
{
    snprintf(buf, size, "(none)");
    if (H5Aexists(obj, name) <= 0)
        return;
    snprintf(buf, size, "(unreadable)");
    hid_t a = H5Aopen(obj, name, H5P_DEFAULT);
    hid_t ft = a < 0 ? -1 : H5Aget_type(a), sp = a < 0 ? -1 : H5Aget_space(a);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    H5T_class_t cls = ft < 0 ? H5T_NO_CLASS : H5Tget_class(ft);
    int vstr = cls == H5T_STRING && H5Tis_variable_str(ft) > 0;
    size_t elem = cls == H5T_STRING ? (vstr ? sizeof(char *) : H5Tget_size(ft)) : 16;
    hid_t mt = cls == H5T_STRING                       ? H5Tcopy(ft)
               : cls == H5T_FLOAT                      ? H5Tcopy(H5T_NATIVE_DOUBLE)
               : cls != H5T_INTEGER                    ? -1
               : H5Tget_sign(ft) == H5T_SGN_NONE       ? H5Tcopy(H5T_NATIVE_ULLONG)
                                                       : H5Tcopy(H5T_NATIVE_LLONG);
    unsigned char *v = n > 0 && mt >= 0 ? calloc((size_t)n + 1, elem) : NULL;
    if (v && H5Aread(a, mt, v) >= 0) {
        size_t at = 0;
        buf[0] = '\0';
        for (hssize_t i = 0; i < n && at < size; i++) {
            const unsigned char *e = v + (size_t)i * elem;
            const char *sep = i ? ", " : "";
            if (vstr)
                at += (size_t)snprintf(buf + at, size - at, "%s\"%s\"", sep, *(char *const *)e);
            else if (cls == H5T_STRING)
                at += (size_t)snprintf(buf + at, size - at, "%s\"%.*s\"", sep, (int)elem,
                                       (const char *)e);
            else if (cls == H5T_FLOAT)
                at += (size_t)snprintf(buf + at, size - at, "%s%.17g", sep, *(const double *)e);
            else if (H5Tget_sign(ft) == H5T_SGN_NONE)
                at += (size_t)snprintf(buf + at, size - at, "%s%llu", sep,
                                       *(const unsigned long long *)e);
            else
                at += (size_t)snprintf(buf + at, size - at, "%s%lld", sep, *(const long long *)e);
        }
        if (vstr)
            H5Dvlen_reclaim(mt, sp, H5P_DEFAULT, v);
    }
    free(v);
    if (mt >= 0)
        H5Tclose(mt);
    if (sp >= 0)
        H5Sclose(sp);
    if (ft >= 0)
        H5Tclose(ft);
    if (a >= 0)
        H5Aclose(a);
    H5Eclear2(H5E_DEFAULT);
}

typedef struct {
    char **names;
    size_t n, cap;
} name_list;

static herr_t collect_name(hid_t obj, const char *name, const H5A_info_t *info, void *data)
{
    name_list *l = data;
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 32;
        char **p = realloc(l->names, cap * sizeof *p);
        if (!p)
            return -1;
        l->names = p;
        l->cap = cap;
    }
    return (l->names[l->n++] = strdup(name)) ? 0 : -1;
}

/* What to change to resume, for the attributes the options set. */
static const char *attr_hint(const char *name)
{
    static const char *const hints[][2] = {
        {"seed", "resume with the same -s/--seed"},
        {"paths", "resume with the same -n/--paths"},
        {"store", "resume with the same --store"},
        {"block_paths", "resume with the same --block-paths"},
        {"overrides", "resume with the same --set options, in the same order"},
        {"ipsim_version", "resume with the ipsim that started the run"},
        {"format_version", "resume with the ipsim that started the run"},
    };
    for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (strcmp(name, hints[i][0]) == 0)
            return hints[i][1];
    return "resume with the same scenario, options and ipsim";
}

/* EINPUT unless the root attributes of old and r's new file agree (but
 * created_utc), in both directions. */
static int same_attrs(const ipsim_results *old, const ipsim_results *r, ipsim_error *err)
{
    name_list l = {0};
    hsize_t i0 = 0, i1 = 0;
    int rc = IPSIM_OK;
    if (H5Aiterate2(old->file, H5_INDEX_NAME, H5_ITER_INC, &i0, collect_name, &l) < 0 ||
        H5Aiterate2(r->file, H5_INDEX_NAME, H5_ITER_INC, &i1, collect_name, &l) < 0)
        rc = not_resumable(err, old->partial_name, "read its attributes");
    for (size_t i = 0; rc == IPSIM_OK && i < l.n; i++) {
        char a[512], b[512];
        if (strcmp(l.names[i], "created_utc") == 0)
            continue;
        attr_text(old->file, l.names[i], a, sizeof a);
        attr_text(r->file, l.names[i], b, sizeof b);
        if (strcmp(a, b) != 0)
            rc = ipsim_error_set(err, IPSIM_EINPUT,
                                 "%s: cannot resume: %s differs (the partial file has %s, this "
                                 "run %s; %s)",
                                 old->partial_name, l.names[i], a, b, attr_hint(l.names[i]));
    }
    for (size_t i = 0; i < l.n; i++)
        free(l.names[i]);
    free(l.names);
    return rc;
}

/* The `scenario` text of a file, malloc'd, or NULL. */
static char *scenario_text(hid_t file)
{
    hid_t ds = H5Dopen2(file, "scenario", H5P_DEFAULT);
    hid_t t = rs_str_type(), sp = H5Screate(H5S_SCALAR);
    char *s = NULL, *copy = NULL;
    if (ds >= 0 && t >= 0 && sp >= 0 && H5Dread(ds, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, &s) >= 0 &&
        s) {
        copy = strdup(s);
        H5Dvlen_reclaim(t, sp, H5P_DEFAULT, &s);
    }
    if (sp >= 0)
        H5Sclose(sp);
    if (t >= 0)
        H5Tclose(t);
    if (ds >= 0)
        H5Dclose(ds);
    H5Eclear2(H5E_DEFAULT);
    return copy;
}

static int same_run(const ipsim_results *old, const ipsim_results *r, ipsim_error *err)
{
    int rc = same_attrs(old, r, err);
    if (rc != IPSIM_OK)
        return rc;
    char *a = scenario_text(old->file), *b = scenario_text(r->file);
    if (!a || !b)
        rc = ipsim_error_set(err, IPSIM_EIO, "%s: cannot read the scenario text back",
                             a ? r->partial_name : old->partial_name);
    else if (strcmp(a, b) != 0)
        rc = ipsim_error_set(err, IPSIM_EINPUT,
                             "%s: cannot resume: the scenario file is not the one the partial "
                             "run used (expected its text unchanged, byte for byte)",
                             old->partial_name);
    free(a);
    free(b);
    return rc;
}

/* Locks and opens the FILE.partial (and scratch file) an earlier run left,
 * read-only. */
static int open_old(ipsim_results *old, ipsim_error *err)
{
    struct stat st;
    if (stat(old->partial_name, &st) != 0) {
        if (stat(old->final_name, &st) == 0)
            return ipsim_error_set(err, IPSIM_EINPUT,
                                   "--resume: %s is complete and there is no %s (expected an "
                                   "interrupted run; run without --resume to replace it)",
                                   old->final_name, old->partial_name);
        return ipsim_error_set(err, IPSIM_EINPUT,
                               "--resume: %s does not exist (expected the partial file of an "
                               "interrupted run; run without --resume to start)",
                               old->partial_name);
    }
    int rc = rs_lock_file(old->partial_name, 0, &old->lock_fd, err);
    if (rc != IPSIM_OK)
        return rc;
    /* A run killed while writing in SWMR mode left the file flagged as open
     * by a SWMR writer, which a SWMR reader accepts; one killed during the
     * summaries left it flagged as open for writing: cleared as h5clear
     * would, since the file is replaced anyway. */
    unsigned ro = H5F_ACC_RDONLY | H5F_ACC_SWMR_READ;
    old->file = rs_file_open(old->partial_name, ro, 0);
    if (old->file < 0) {
        H5Eclear2(H5E_DEFAULT);
        old->file = rs_file_open(old->partial_name, H5F_ACC_RDWR, 1);
    }
    if (old->file < 0)
        return not_resumable(err, old->partial_name, "be read");
    if (old->store == IPSIM_STORE_SUMMARY) {
        ipsim_error e = {0};
        rc = ipsim_scratch_open(&old->scratch, old->scratch_name, old->n_paths, old->n_years,
                                IPSIM_NMETRICS, &e);
        if (rc != IPSIM_OK)
            return cannot_resume(err, rc, &e);
    }
    return IPSIM_OK;
}

/* done[k] = blocks_done[k] of old, which rs_open_handles() opened. */
static herr_t read_done(const ipsim_results *old, unsigned char *done)
{
    hid_t sp = H5Dget_space(old->blocks_done);
    hssize_t n = sp < 0 ? -1 : H5Sget_simple_extent_npoints(sp);
    herr_t st = n == (hssize_t)old->n_blocks ? 0 : -1;
    if (st >= 0)
        st = H5Dread(old->blocks_done, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, done);
    if (sp >= 0)
        H5Sclose(sp);
    return st;
}

/* Copies the blocks done in old into r, which marks them done in turn. */
static int copy_blocks(const ipsim_results *old, ipsim_results *r, const unsigned char *done,
                       ipsim_error *err)
{
    ipsim_block b;
    int rc = ipsim_block_alloc(&b, r->block_paths, r->n_years, r->n_months, r->n_zones,
                               r->n_targets, r->store == IPSIM_STORE_MONTHLY, err);
    for (size_t k = 0; rc == IPSIM_OK && k < r->n_blocks; k++) {
        if (!done[k])
            continue;
        b.path0 = k * r->block_paths;
        b.n = r->n_paths - b.path0 < r->block_paths ? r->n_paths - b.path0 : r->block_paths;
        ipsim_error e = {0};
        rc = rs_read_block(old, &b, &e);
        rc = rc != IPSIM_OK ? cannot_resume(err, rc, &e) : ipsim_results_write_block(r, &b, err);
    }
    ipsim_block_free(&b);
    return rc;
}

int ipsim_results_resume(ipsim_results **out, const char *filename, const ipsim_scenario *scn,
                         uint64_t seed, size_t n_paths, size_t block_paths, enum ipsim_store store,
                         int deflate, unsigned char *done, ipsim_error *err)
{
    *out = NULL;
    if (n_paths == 0 || block_paths == 0)
        return ipsim_error_set(err, IPSIM_EINPUT, "the number of paths must be at least 1");
    int rc = ipsim_outpath_check(filename, err); /* (err may be NULL) */
    if (rc != IPSIM_OK)
        return rc;
    ipsim_results *old = rs_results_new(filename, scn, n_paths, block_paths, store, deflate);
    ipsim_results *r = rs_results_new(filename, scn, n_paths, block_paths, store, deflate);
    rc = old && r && rs_rename_new(r) == 0
             ? IPSIM_OK
             : ipsim_error_set(err, IPSIM_ENOMEM, "out of memory resuming %s", filename);
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    if (rc == IPSIM_OK)
        rc = open_old(old, err);
    if (rc == IPSIM_OK)
        rc = rs_results_layout(r, seed, err);
    if (rc == IPSIM_OK)
        rc = same_run(old, r, err);
    if (rc == IPSIM_OK && (rs_open_handles(old) < 0 || read_done(old, done) < 0))
        rc = not_resumable(err, old->partial_name, "be read");
    if (rc == IPSIM_OK)
        rc = copy_blocks(old, r, done, err);
    if (rc == IPSIM_OK)
        rc = rs_promote(r, old->partial_name, old->scratch_name, err);
    if (old) {
        rs_close_all(old);
        rs_results_free(old);
    }
    if (rc != IPSIM_OK) {
        ipsim_results_abort(r);
        return rc;
    }
    *out = r;
    return IPSIM_OK;
}

